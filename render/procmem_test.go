package render

import (
	"os"
	"os/exec"
	"testing"
)

// TestTreeMemoryCountsDescendants: the test process with a child counts
// both, and more memory than the child alone.
func TestTreeMemoryCountsDescendants(t *testing.T) {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Skipf("cannot start a child process: %v", err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	total, procs, err := treeMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	own, err := processMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if procs < 2 || total <= own {
		t.Errorf("tree of %d processes, %d bytes; this process alone %d bytes", procs, total, own)
	}
	if _, _, err := treeMemory(1 << 30); err == nil {
		t.Error("memory of a process that does not exist: no error")
	}
}
