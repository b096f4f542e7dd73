package render

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// pageSize is the size of a memory page, for /proc/PID/statm.
var pageSize = int64(os.Getpagesize())

// treeMemory returns the memory in bytes of the process pid and all of its
// descendants (Chromium's zygotes, renderers, GPU and utility processes),
// and how many processes that was, as /proc reports them now. Each process
// counts with its proportional set size (PSS, /proc/PID/smaps_rollup):
// pages shared between Chromium's processes are split between them rather
// than counted once per process as resident set sizes are (an idle browser
// is ~380 MiB PSS but ~900 MiB summed RSS). Where smaps_rollup cannot be
// read (kernels before 4.14) the RSS from /proc/PID/statm is used.
// Processes that exit during the walk are skipped. It returns an error when
// pid itself cannot be read (not running, or no /proc).
func treeMemory(pid int) (total int64, procs int, err error) {
	children, err := childrenByParent()
	if err != nil {
		return 0, 0, err
	}
	mem, err := processMemory(pid)
	if err != nil {
		return 0, 0, fmt.Errorf("render: read the memory of browser process %d: %w", pid, err)
	}
	total, procs = mem, 1
	queue := append([]int(nil), children[pid]...)
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		if mem, err := processMemory(p); err == nil {
			total += mem
			procs++
		}
	}
	return total, procs, nil
}

// childrenByParent maps each parent pid to its children's, from /proc/*/stat.
func childrenByParent() (map[int][]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("render: list processes: %w", err)
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, err := parentPID(pid)
		if err != nil {
			continue // exited meanwhile
		}
		children[ppid] = append(children[ppid], pid)
	}
	return children, nil
}

// parentPID reads the fourth field of /proc/PID/stat. The second field, the
// command name in parentheses, may itself hold spaces and parentheses, so
// the fields are counted from the last ')'.
func parentPID(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("render: malformed /proc/%d/stat", pid)
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 2 {
		return 0, fmt.Errorf("render: malformed /proc/%d/stat", pid)
	}
	return strconv.Atoi(string(fields[1]))
}

// processMemory returns the PSS of one process, or its RSS where the PSS
// cannot be read.
func processMemory(pid int) (int64, error) {
	if pss, err := processPSS(pid); err == nil {
		return pss, nil
	}
	return processRSS(pid)
}

// processPSS reads the "Pss:" line (in kB) of /proc/PID/smaps_rollup.
func processPSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte("Pss:")); ok {
			fields := bytes.Fields(rest)
			if len(fields) < 1 {
				break
			}
			kb, err := strconv.ParseInt(string(fields[0]), 10, 64)
			if err != nil {
				break
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("render: no Pss in /proc/%d/smaps_rollup", pid)
}

// processRSS reads the resident set size of one process from /proc/PID/statm.
func processRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, err
	}
	fields := bytes.Fields(b)
	if len(fields) < 2 {
		return 0, fmt.Errorf("render: malformed /proc/%d/statm", pid)
	}
	pages, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("render: malformed /proc/%d/statm: %w", pid, err)
	}
	return pages * pageSize, nil
}
