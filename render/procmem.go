package render

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// pageSize is the size of a memory page, for /proc/PID/statm.
var pageSize = int64(os.Getpagesize())

// treeRSS returns the resident set size in bytes summed over the process
// pid and all of its descendants (Chromium's zygote, renderers, GPU and
// utility processes), and how many processes that was, as /proc reports them
// now. Pages shared between the processes count once per process, so the sum
// is an upper bound. Processes that exit during the walk are skipped. It
// returns an error when pid itself cannot be read (not running, or no /proc).
func treeRSS(pid int) (total int64, procs int, err error) {
	children, err := childrenByParent()
	if err != nil {
		return 0, 0, err
	}
	rss, err := processRSS(pid)
	if err != nil {
		return 0, 0, fmt.Errorf("render: read the memory of browser process %d: %w", pid, err)
	}
	total, procs = rss, 1
	queue := append([]int(nil), children[pid]...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		queue = append(queue, children[p]...)
		if rss, err := processRSS(p); err == nil {
			total += rss
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
