package lexicon

import "adscan/yamlcheck"

// Problem is one thing wrong with a lexicon file (see yamlcheck.Problem).
type Problem = yamlcheck.Problem

// ProblemsError is the error Parse and Load return for a bad lexicon: every
// problem found, in line order.
type ProblemsError = yamlcheck.ProblemsError

// problems collects a file's problems, one per field.
type problems = yamlcheck.Problems
