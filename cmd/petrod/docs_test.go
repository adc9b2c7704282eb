package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestDocCommands: every petrod command line in the shell blocks of the
// repository's Markdown names existing commands and flags, and every
// literal amount it passes carries a denomination, so pasted commands do
// not fail on the command line. (The dev-node block of README.md was also
// run against `petrod dev`; see the README.)
func TestDocCommands(t *testing.T) {
	var files []string
	for _, pattern := range []string{"*.md", "*/*.md", "*/*/*.md"} {
		m, err := filepath.Glob(filepath.Join("..", "..", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		if strings.Contains(f, "node_modules") || strings.Contains(f, "BENCHMARKS") {
			continue
		}
		bz, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range docCommandLines(string(bz)) {
			checked++
			if err := checkDocCommand(line.args); err != "" {
				t.Errorf("%s:%d: %s\n\t%s", f, line.n, err, line.text)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d command lines found: is the extraction broken?", checked)
	}
	t.Logf("%d command lines in %d files", checked, len(files))

	// So do the examples in the commands' own help.
	examples := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Example != "" {
			for _, line := range docCommandLines("```sh\n" + c.Example + "\n```\n") {
				examples++
				if err := checkDocCommand(line.args); err != "" {
					t.Errorf("%s example: %s\n\t%s", c.CommandPath(), err, line.text)
				}
			}
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(NewRootCmd())
	t.Logf("%d example lines", examples)

	// The checker itself catches each kind of drift.
	for _, bad := range [][]string{
		{"tx", "token", "sendd", "a", "b", "1ptr"},
		{"keys", "list", "--no-such-flag"},
		{"tx", "token", "send", "a", "petro1…", "10"},
		{"tx", "authority", "propose", "grant-role", "petro1…", "issuer", "--allowance", "1000"},
	} {
		if checkDocCommand(bad) == "" {
			t.Errorf("checker accepted %v", bad)
		}
	}
	got := docCommandLines("```sh\nK=\"--home ./h --node 127.0.0.1:1\"\n./build/petrod keys show a \\\n  -a $K   # note\nX=$(petrod keys show b -a $K)\n```\n")
	if len(got) != 2 || strings.Join(got[0].args, " ") != "keys show a -a --home ./h --node 127.0.0.1:1" || strings.Join(got[1].args, " ") != "keys show b -a --home ./h --node 127.0.0.1:1" {
		t.Errorf("extraction: %+v", got)
	}
}

type docLine struct {
	n    int
	text string
	args []string // after the petrod token, up to a shell operator
}

var (
	fenceRE  = regexp.MustCompile("^\\s*```\\s*([a-z]*)")
	assignRE = regexp.MustCompile(`^([A-Z_][A-Z0-9_]*)=(.*)$`)
)

// docCommandLines extracts the petrod invocations of the sh/bash blocks of
// a Markdown text, with continuation lines joined and VAR="…" assignments
// of the same block expanded.
func docCommandLines(md string) []docLine {
	var (
		out     []docLine
		inBlock bool
		shell   bool
		vars    map[string][]string
		pending string
		start   int
	)
	for i, l := range strings.Split(md, "\n") {
		if m := fenceRE.FindStringSubmatch(l); m != nil {
			if !inBlock {
				inBlock, shell, vars = true, m[1] == "sh" || m[1] == "bash" || m[1] == "shell", map[string][]string{}
			} else {
				inBlock = false
			}
			continue
		}
		if !inBlock || !shell {
			continue
		}
		if pending == "" {
			start = i + 1
		}
		if strings.HasSuffix(strings.TrimRight(l, " "), "\\") {
			pending += strings.TrimSuffix(strings.TrimRight(l, " "), "\\") + " "
			continue
		}
		text := pending + l
		pending = ""
		toks := shellWords(text)
		if len(toks) == 1 {
			if m := assignRE.FindStringSubmatch(toks[0]); m != nil {
				if v := m[2]; strings.HasPrefix(v, "$(") && strings.HasSuffix(v, ")") {
					toks = shellWords(v[2 : len(v)-1]) // VAR=$(petrod …): check the inner command
				} else {
					vars[m[1]] = shellWords(v)
					continue
				}
			}
		}
		for j, tok := range toks {
			if tok != "petrod" && !strings.HasSuffix(tok, "/petrod") {
				continue
			}
			if j > 0 && (toks[j-1] == "-o" || toks[0] == "cp" || toks[0] == "mv") { // go build -o build/petrod, cp build/petrod DIR
				break
			}
			var args []string
			for _, a := range toks[j+1:] {
				if strings.ContainsAny(a[:1], "|>&;") || a == "2>&1" {
					break
				}
				if v, ok := vars[strings.TrimPrefix(a, "$")]; ok && strings.HasPrefix(a, "$") {
					args = append(args, v...)
					continue
				}
				args = append(args, a)
			}
			out = append(out, docLine{n: start, text: strings.TrimSpace(text), args: args})
			break
		}
	}
	return out
}

// shellWords splits a line like a POSIX shell (quotes, backslashes, $(…)
// kept as one word) and drops a trailing # comment.
func shellWords(s string) []string {
	var (
		out   []string
		cur   strings.Builder
		inTok bool
		quote rune
		depth int
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case depth > 0:
			cur.WriteRune(r)
			if r == '(' {
				depth++
			} else if r == ')' {
				depth--
			}
		case r == '\'' || r == '"':
			quote, inTok = r, true
		case r == '$' && i+1 < len(rs) && rs[i+1] == '(':
			cur.WriteString("$(")
			i++
			depth, inTok = 1, true
		case r == '#' && !inTok:
			i = len(rs)
		case r == ' ' || r == '\t':
			if inTok {
				out = append(out, cur.String())
				cur.Reset()
				inTok = false
			}
		default:
			cur.WriteRune(r)
			inTok = true
		}
	}
	if inTok {
		out = append(out, cur.String())
	}
	return out
}

var literalAmountRE = regexp.MustCompile(`^[0-9][0-9.]*[a-zA-Z]*$`)

// checkDocCommand resolves args in a fresh command tree: the command path
// must exist, its flags must parse, and amounts must parse.
func checkDocCommand(args []string) string {
	root := NewRootCmd()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err.Error()
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err.Error()
	}
	pos := cmd.Flags().Args()
	if cmd.HasSubCommands() && len(pos) > 0 {
		return unknownCommandError(cmd, pos[0]).Error()
	}
	amountArg := map[string]int{"petrod tx token send": 2, "petrod tx token issue": 1, "petrod tx token redeem": 0, "petrod tx authority propose set-allowance": 1}
	if i, ok := amountArg[cmd.CommandPath()]; ok && i < len(pos) && literalAmountRE.MatchString(pos[i]) {
		if _, err := parseAmount(pos[i]); err != nil {
			return err.Error()
		}
	}
	if f := cmd.Flags().Lookup(flagAllowance); f != nil && f.Changed {
		if _, err := parseAmount(f.Value.String()); err != nil {
			return err.Error()
		}
	}
	return ""
}
