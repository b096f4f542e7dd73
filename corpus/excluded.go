package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// Excluded is the set of pages that belong to an evaluation kept outside
// the project (../shared/eval/excluded-urls.sha256): they never go into the
// corpus, training data or tests.
type Excluded map[string]bool

// ReadExcluded reads the digests file: SHA-256 of URLKey, hex, one a line.
func ReadExcluded(path string) (Excluded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("corpus: excluded pages: %w", err)
	}
	ex := Excluded{}
	for _, f := range strings.Fields(string(data)) {
		ex[strings.ToLower(f)] = true
	}
	return ex, nil
}

// Has reports whether the URL is one of the excluded pages.
func (e Excluded) Has(rawURL string) bool {
	sum := sha256.Sum256([]byte(URLKey(rawURL)))
	return e[hex.EncodeToString(sum[:])]
}
