package profile

import "adscan/yamlcheck"

// Problem is one thing wrong with a profile file (see yamlcheck.Problem).
type Problem = yamlcheck.Problem

// ProblemsError is the error Parse and Load return for a bad profile: every
// problem found, in line order.
type ProblemsError = yamlcheck.ProblemsError

// problems collects a file's problems, one per field.
type problems = yamlcheck.Problems
