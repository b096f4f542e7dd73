//go:build !race

package classifier

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = false
