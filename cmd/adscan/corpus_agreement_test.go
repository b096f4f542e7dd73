package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusAgreement runs the labelling study's table on the committed
// files, and refuses labels that drifted from the study's decisions.
func TestCorpusAgreement(t *testing.T) {
	labels := filepath.Join("..", "..", "corpus", "real", "labels.jsonl")
	rows := filepath.Join("..", "..", "corpus", "real", "agreement.jsonl")
	code, stdout, errOut := runClassifyCmd(t, "", "corpus", "agreement", "--labels", labels, "--agreement", rows, "--split", "test")
	if code != exitOK || !strings.Contains(stdout, "second labeller against the first, test split") || !strings.Contains(stdout, "kappa") {
		t.Fatalf("corpus agreement: exit %d\n%s\n%s", code, stdout, errOut)
	}
	if code, _, errOut = runClassifyCmd(t, "", "corpus", "agreement", "--labels", labels, "--agreement", rows, "--split", "holdout"); code != exitUsage || !strings.Contains(errOut, "holdout") {
		t.Errorf("a bad split: exit %d, %q", code, errOut)
	}
	// A committed label changed behind the study's back.
	data, err := os.ReadFile(labels)
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(data), "\n")
	var drifted string
	switch {
	case strings.Contains(first, `"voice":"other"`):
		drifted = strings.Replace(first, `"voice":"other"`, `"voice":"promo"`, 1)
	default:
		drifted = strings.Replace(first, `"voice":"promo"`, `"voice":"other"`, 1)
	}
	bad := filepath.Join(t.TempDir(), "labels.jsonl")
	if err := os.WriteFile(bad, []byte(drifted+"\n"+rest), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut = runClassifyCmd(t, "", "corpus", "agreement", "--labels", bad, "--agreement", rows); code != exitFailure || !strings.Contains(errOut, "study's decision") {
		t.Errorf("drifted labels: exit %d, %q", code, errOut)
	}
}
