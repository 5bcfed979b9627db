package builtins

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// docEntry is one "name(args) - description" line of a module's doc comment.
var docEntry = regexp.MustCompile(`^\t(\S.*?) - (.*)$`)

// documented returns every "member - description" line of the doc comments
// in this package's source.
func documented(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	entries := make(map[string]string)
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			var doc *ast.CommentGroup
			switch n := n.(type) {
			case *ast.GenDecl:
				doc = n.Doc
			case *ast.FuncDecl:
				doc = n.Doc
			}
			if doc != nil {
				for _, line := range strings.Split(doc.Text(), "\n") {
					if m := docEntry.FindStringSubmatch(line); m != nil {
						entries[m[1]] = m[2]
					}
				}
			}
			return true
		})
	}
	return entries
}

// TestReadmeAPI checks that the README's API table lists exactly the
// members the doc comments document, with the same descriptions.
func TestReadmeAPI(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "<!-- api-table")
	if !ok {
		t.Fatal("README.md has no api-table marker")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	row := regexp.MustCompile("(?m)^\\| [^|]+ \\| `(.+?)` \\| (.+) \\|$")
	inReadme := make(map[string]string)
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		inReadme[m[1]] = m[2]
	}
	docs := documented(t)
	for member, desc := range docs {
		if got, ok := inReadme[member]; !ok {
			t.Errorf("README API table lacks %s - %s", member, desc)
		} else if got != desc {
			t.Errorf("README describes %s as %q; the doc comment says %q", member, got, desc)
		}
	}
	for member := range inReadme {
		if _, ok := docs[member]; !ok {
			t.Errorf("README API table lists %s, which no doc comment documents", member)
		}
	}
}

// TestMembersDocumented checks that every member of every module is in its
// doc comment, and that the doc comments name no member that does not exist.
func TestMembersDocumented(t *testing.T) {
	var names []string
	for entry := range documented(t) {
		if name, _, isCall := strings.Cut(entry, "("); isCall {
			names = append(names, name)
		} else {
			names = append(names, strings.Split(entry, ", ")...)
		}
	}
	members := []starlark.StringDict{Futures.Members, Time.Members, OS.Members, Sys(nil, "").Members, Predeclared(), Requests.Members, OSPath.Members}
	var all []string
	for _, m := range members {
		all = append(all, m.Keys()...)
	}
	all = append(all, sortedKeys(executorMethods)...)
	all = append(all, sortedKeys(futureMethods)...)
	all = append(all, responseAttrs...)
	all = append(all, (&file{}).AttrNames()...)
	for _, name := range all {
		if !slices.Contains(names, name) {
			t.Errorf("member %s is not in its module's doc comment", name)
		}
	}
	for _, name := range names {
		if !slices.Contains(all, name) {
			t.Errorf("doc comment names %s, which no module has", name)
		}
	}
}

// TestHelpTopics checks that help() shows exactly the doc comments' lines.
func TestHelpTopics(t *testing.T) {
	docs := documented(t)
	inHelp := map[string]bool{}
	for _, lines := range helpTopics {
		for _, line := range lines {
			member, desc, _ := strings.Cut(line, " - ")
			inHelp[member] = true
			if got, ok := docs[member]; !ok || got != desc {
				t.Errorf("help shows %q; the doc comment says %q", line, got)
			}
		}
	}
	for member := range docs {
		if !inHelp[member] {
			t.Errorf("help does not show %s", member)
		}
	}
}
