package deploy

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// invocation is one adscan command line written in deploy/.
type invocation struct {
	where string
	argv  []string // argv[0] is adscan (or a path to it)
}

// invocations are the adscan command lines of the Kubernetes containers,
// the compose services, the systemd units and the shell blocks of
// deploy/README.md.
func invocations(t *testing.T) []invocation {
	t.Helper()
	var out []invocation
	for path, cs := range adscanContainers(t) {
		for _, c := range cs {
			out = append(out, invocation{fmt.Sprintf("%s container %s", path, s(c["name"])), containerArgv(c)})
		}
	}
	for name, svc := range m(yamlDocs(t, "docker-compose.yml")[0]["services"]) {
		if argv := composeArgv(m(svc)); argv != nil {
			out = append(out, invocation{"docker-compose.yml service " + name, argv})
		}
	}
	for _, p := range files(t, "*.service") {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(joinContinuations(string(b)), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			if !ok || !strings.HasPrefix(k, "ExecStart") && !strings.HasPrefix(k, "ExecReload") {
				continue
			}
			if argv := shellCommand(strings.Fields(strings.TrimLeft(v, "-@:+!"))); argv != nil {
				out = append(out, invocation{fmt.Sprintf("%s line %d", p, i+1), argv})
			}
		}
	}
	for _, p := range files(t, "*.md") {
		out = append(out, markdownInvocations(t, p)...)
	}
	return out
}

// joinContinuations joins lines ending in a backslash with the next.
func joinContinuations(text string) string {
	return regexp.MustCompile(`\\\n[ \t]*`).ReplaceAllString(text, " ")
}

// markdownInvocations are the adscan commands in the fenced shell blocks
// of a Markdown file.
func markdownInvocations(t *testing.T, path string) []invocation {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []invocation
	in := false
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		fence := strings.TrimSpace(line)
		if strings.HasPrefix(fence, "```") {
			lang := strings.TrimPrefix(fence, "```")
			in = !in && (lang == "sh" || lang == "bash" || lang == "shell" || lang == "console")
			continue
		}
		if !in {
			continue
		}
		start := i + 1
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
		}
		for _, cmd := range simpleCommands(strings.TrimPrefix(strings.TrimSpace(line), "$ ")) {
			if argv := shellCommand(cmd); argv != nil {
				out = append(out, invocation{fmt.Sprintf("%s line %d", path, start), argv})
			}
		}
	}
	return out
}

// simpleCommands splits a shell line into the words of its simple
// commands, honouring quotes, at | || && ; & and dropping redirections
// and comments.
func simpleCommands(line string) [][]string {
	var cmds [][]string
	var cur []string
	var word strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			cur = append(cur, word.String())
			word.Reset()
			inWord = false
		}
	}
	end := func() {
		flush()
		if len(cur) > 0 {
			cmds = append(cmds, cur)
		}
		cur = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				j = len(line) - i - 1
			}
			word.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			end()
			return cmds
		case c == '|' || c == ';' || c == '&':
			end()
			if i+1 < len(line) && (line[i+1] == '|' || line[i+1] == '&') {
				i++
			}
		case c == '>' || c == '<':
			// A redirection: drop it and its target.
			if inWord && word.String() == "2" {
				word.Reset()
				inWord = false
			}
			flush()
			for i+1 < len(line) && (line[i+1] == '>' || line[i+1] == '&') {
				i++
			}
			for i+1 < len(line) && line[i+1] == ' ' {
				i++
			}
			for i+1 < len(line) && line[i+1] != ' ' {
				i++
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	end()
	return cmds
}

// shellCommand returns the adscan argv a simple command runs: adscan
// itself (after VAR=value words and sudo), `go run ./cmd/adscan`, or
// adscan after `--` (kubectl exec … -- adscan …) or after the service of
// `docker compose … exec|run SERVICE`. nil if it runs no adscan.
func shellCommand(words []string) []string {
	isAdscan := func(w string) bool { return w == "adscan" || strings.HasSuffix(w, "/adscan") }
	i := 0
	for i < len(words) && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(words[i]) {
		i++
	}
	if i < len(words) && words[i] == "sudo" {
		i++
		for i < len(words) && strings.HasPrefix(words[i], "-") {
			if words[i] == "-u" {
				i++
			}
			i++
		}
	}
	switch {
	case i >= len(words):
		return nil
	case isAdscan(words[i]):
		return words[i:]
	case words[i] == "go" && i+2 < len(words) && words[i+1] == "run" && strings.HasSuffix(words[i+2], "cmd/adscan"):
		return append([]string{"adscan"}, words[i+3:]...)
	}
	if j := slices.Index(words, "--"); j >= 0 && j+1 < len(words) && isAdscan(words[j+1]) {
		return words[j+1:]
	}
	if words[i] == "docker" {
		for j, w := range words {
			if w != "exec" && w != "run" {
				continue
			}
			k := j + 1
			for k < len(words) && strings.HasPrefix(words[k], "-") {
				k++
			}
			if k+1 < len(words) && isAdscan(words[k+1]) {
				return words[k+1:]
			}
		}
	}
	return nil
}

// cmdHelp is what `adscan … --help` says of a command: its flags (true if
// the flag takes a value) and subcommands.
type cmdHelp struct {
	flags  map[string]bool
	shorts map[string]bool
	subs   []string
}

var (
	helpFlag    = regexp.MustCompile(`^\s+(?:-([a-zA-Z]), )?--([a-zA-Z0-9][a-zA-Z0-9-]*)(?: ([a-zA-Z0-9]+))?(?:\s{2,}|$)`)
	helpCommand = regexp.MustCompile(`^  ([a-z][a-z0-9-]*)\s{2,}`)
)

func parseHelp(out string) cmdHelp {
	h := cmdHelp{flags: map[string]bool{}, shorts: map[string]bool{}}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " ") {
			section = line
			continue
		}
		switch section {
		case "Available Commands:", "Additional Commands:":
			if mm := helpCommand.FindStringSubmatch(line); mm != nil {
				h.subs = append(h.subs, mm[1])
			}
		case "Flags:", "Global Flags:":
			if mm := helpFlag.FindStringSubmatch(line); mm != nil {
				h.flags[mm[2]] = mm[3] != ""
				if mm[1] != "" {
					h.shorts[mm[1]] = mm[3] != ""
				}
			}
		}
	}
	return h
}

// helpOf runs the built binary's --help for a command path, once each.
type helpOf struct {
	bin   string
	mu    sync.Mutex
	cache map[string]cmdHelp
}

func (h *helpOf) get(t *testing.T, path []string) cmdHelp {
	t.Helper()
	key := strings.Join(path, " ")
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.cache[key]; ok {
		return c
	}
	out, err := exec.Command(h.bin, append(slices.Clone(path), "--help")...).CombinedOutput()
	if err != nil {
		t.Fatalf("adscan %s --help: %v\n%s", key, err, out)
	}
	c := parseHelp(string(out))
	h.cache[key] = c
	return c
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// adscanBinary builds ./cmd/adscan once for the tests, offline (GOPROXY=off):
// with the build cache warm (as after `go vet ./...`) it is a link of a
// few seconds to a minute; a cold one compiles the embedded Temporal
// server for minutes.
func adscanBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the adscan binary; -short checks flags against the sources only (TestFlagsNamedInSources)")
	}
	binOnce.Do(func() {
		gobin, err := goCommand()
		if err != nil {
			binErr = err
			return
		}
		dir, err := os.MkdirTemp("", "adscan-deploy-test")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "adscan")
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, gobin, "build", "-buildvcs=false", "-o", binPath, "./cmd/adscan")
		cmd.Dir = ".."
		cmd.Env = offlineGoEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/adscan: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestCommandsUseRealFlags checks every adscan command line in deploy/
// against the program's own --help: the subcommands exist, every flag
// exists on that subcommand (or the root), and flags that take a value
// have one.
func TestCommandsUseRealFlags(t *testing.T) {
	invs := invocations(t)
	if len(invs) < 8 {
		t.Fatalf("found only %d adscan command lines in deploy/", len(invs))
	}
	help := &helpOf{bin: adscanBinary(t), cache: map[string]cmdHelp{}}
	for _, inv := range invs {
		if err := checkArgv(t, help, inv.argv); err != "" {
			t.Errorf("%s: %q: %s", inv.where, strings.Join(inv.argv, " "), err)
		}
	}
}

// checkArgv returns what is wrong with an adscan command line ("" if
// nothing).
func checkArgv(t *testing.T, help *helpOf, argv []string) string {
	var path []string
	h := help.get(t, nil)
	positional := false
	given := map[string]bool{}
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			i = len(argv)
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			takes, ok := h.flags[name]
			if !ok {
				return fmt.Sprintf("adscan %s has no flag --%s", strings.Join(path, " "), name)
			}
			given[name] = true
			if takes && !hasValue {
				if i+1 >= len(argv) {
					return "--" + name + " wants a value"
				}
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			takes, ok := h.shorts[a[1:2]]
			if !ok {
				return fmt.Sprintf("adscan %s has no flag %s", strings.Join(path, " "), a[:2])
			}
			if takes && len(a) == 2 {
				i++
			}
		case !positional && len(h.subs) > 0:
			if !slices.Contains(h.subs, a) {
				return fmt.Sprintf("adscan %s has no subcommand %q (it has %v)", strings.Join(path, " "), a, h.subs)
			}
			path = append(path, a)
			h = help.get(t, path)
		default:
			positional = true
		}
	}
	if len(path) == 0 {
		return "no subcommand"
	}
	// What the program refuses at start although every flag exists.
	if path[0] == "worker" && !given["outbox"] && !given["referral-endpoint"] {
		return "a worker needs --outbox DIR or --referral-endpoint URL"
	}
	return ""
}

// TestFlagsNamedInSources is the check that runs with -short too: every
// --flag of an adscan command line in deploy/ is registered somewhere in
// cmd/adscan.
func TestFlagsNamedInSources(t *testing.T) {
	src := goSources(t, filepath.Join("..", "cmd", "adscan"))
	for _, inv := range invocations(t) {
		for _, a := range inv.argv[1:] {
			if !strings.HasPrefix(a, "--") || a == "--" || a == "--help" {
				continue
			}
			name, _, _ := strings.Cut(a[2:], "=")
			if !strings.Contains(src, `"`+name+`"`) {
				t.Errorf("%s: --%s is no flag of cmd/adscan", inv.where, name)
			}
		}
	}
}

// goSources is the text of the non-test Go files under dir.
func goSources(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		text, err := os.ReadFile(path)
		b.Write(text)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestEnvironmentVariablesAreRead checks that every ADSCAN_* variable
// named in deploy/ is one the program reads (a string literal in its
// non-test sources).
func TestEnvironmentVariablesAreRead(t *testing.T) {
	src := goSources(t, "..")
	envName := regexp.MustCompile(`\bADSCAN_[A-Z0-9_]+\b`)
	seen := 0
	for _, p := range files(t, "*") {
		if strings.HasSuffix(p, ".go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range slices.Compact(envName.FindAllString(string(b), -1)) {
			if strings.HasSuffix(name, "_") {
				continue // ADSCAN_TLS_* and the like
			}
			seen++
			if !strings.Contains(src, `"`+name+`"`) {
				t.Errorf("%s: %s is not an environment variable adscan reads", p, name)
			}
		}
	}
	if seen == 0 {
		t.Error("no ADSCAN_* variable in deploy/")
	}
}

func TestShellCommand(t *testing.T) {
	for line, want := range map[string]string{
		`adscan worker --db "$X" | tee log`:                                  "adscan worker --db $X",
		`ADSCAN_DB=x sudo -u adscan /usr/local/bin/adscan user add alice`:    "/usr/local/bin/adscan user add alice",
		`kubectl -n adscan exec deploy/adscan-console -- adscan cases list`:  "adscan cases list",
		`docker compose -f deploy/docker-compose.yml exec -T serve adscan x`: "adscan x",
		`go run ./cmd/adscan dev --no-worker # a comment`:                    "adscan dev --no-worker",
		`createdb -O adscan adscan`:                                          "",
		`openssl rand -hex 32 > key`:                                         "",
	} {
		var got []string
		for _, c := range simpleCommands(line) {
			if argv := shellCommand(c); argv != nil {
				got = append(got, strings.Join(argv, " "))
			}
		}
		if strings.Join(got, "; ") != want {
			t.Errorf("%s: got %q, want %q", line, got, want)
		}
	}
}
