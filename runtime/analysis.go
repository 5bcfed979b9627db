package runtime

import (
	"sync/atomic"

	"go.starlark.net/resolve"
	"go.starlark.net/syntax"
)

// The static half of the sharing rule. After a file is resolved, analyze
// records, for every def and lambda, the globals its body reads and the
// globals it mutates in place, and for every global and every captured
// local, where it is bound. At a crossing, share uses these facts to freeze
// exactly what a task can reach and to refuse what could race.

// funcInfo is what the analysis knows of one def or lambda.
type funcInfo struct {
	name    string
	file    *fileInfo
	reads   []use         // globals read by the body (nested functions included), first use of each
	mutates []use         // globals mutated in place by the body: g.append(x), g[k] = v
	nested  []*funcInfo   // the defs and lambdas inside the body, at any depth
	body    []syntax.Stmt // during analysis only
	checked atomic.Bool   // its globals were found stable, bound and shared
}

// markChecked records that info's globals, and so those of every function
// nested in it (which reads no global that info does not), are shared.
func (info *funcInfo) markChecked() {
	info.checked.Store(true)
	for _, n := range info.nested {
		n.checked.Store(true)
	}
}

// use is one occurrence of a name in the source.
type use struct {
	name string
	pos  syntax.Position
	what string // for a mutation, the operation: "results.append", "results[...] ="
}

// site is one place where a variable is bound.
type site struct {
	pos    syntax.Position
	inLoop bool // inside a for or while body, or a comprehension
}

// fileInfo holds the analysis of one file.
type fileInfo struct {
	globals map[string][]site          // binding sites of each global
	cells   map[syntax.Position][]site // binding sites of each captured local, by its first binding
	funcs   map[syntax.Position]*funcInfo
}

// mutators are the methods of list, dict and set that change the receiver.
var mutators = map[string]bool{
	"append": true, "extend": true, "insert": true, "remove": true, "pop": true, "clear": true,
	"update": true, "setdefault": true, "popitem": true, "add": true, "discard": true,
	"difference_update": true, "intersection_update": true, "symmetric_difference_update": true,
}

// analyze records the sharing facts of a resolved file.
func analyze(f *syntax.File) *fileInfo {
	fi := &fileInfo{
		globals: make(map[string][]site),
		cells:   make(map[syntax.Position][]site),
		funcs:   make(map[syntax.Position]*funcInfo),
	}
	bindings(f.Stmts, false, func(id *syntax.Ident, inLoop bool) {
		if b, ok := id.Binding.(*resolve.Binding); ok && b.Scope == resolve.Global {
			fi.globals[id.Name] = append(fi.globals[id.Name], site{id.NamePos, inLoop})
		}
	})
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.DefStmt:
			fi.function(n.Function.(*resolve.Function))
		case *syntax.LambdaExpr:
			fi.function(n.Function.(*resolve.Function))
		}
		return true
	})
	for _, info := range fi.funcs {
		for _, stmt := range info.body {
			syntax.Walk(stmt, func(n syntax.Node) bool {
				var fn any
				switch n := n.(type) {
				case *syntax.DefStmt:
					fn = n.Function
				case *syntax.LambdaExpr:
					fn = n.Function
				}
				if fn != nil {
					info.nested = append(info.nested, fi.funcs[fn.(*resolve.Function).Pos])
				}
				return true
			})
		}
		info.body = nil
	}
	return fi
}

// function records the facts of one def or lambda.
func (fi *fileInfo) function(fn *resolve.Function) {
	info := &funcInfo{name: fn.Name, file: fi, body: fn.Body}
	seen := make(map[string]bool)
	for _, stmt := range fn.Body {
		syntax.Walk(stmt, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.Ident:
				if isGlobal(n) && !seen[n.Name] {
					seen[n.Name] = true
					info.reads = append(info.reads, use{name: n.Name, pos: n.NamePos})
				}
			case *syntax.CallExpr:
				if dot, ok := n.Fn.(*syntax.DotExpr); ok && mutators[dot.Name.Name] {
					if g, ok := dot.X.(*syntax.Ident); ok && isGlobal(g) {
						info.mutates = append(info.mutates, use{g.Name, g.NamePos, g.Name + "." + dot.Name.Name})
					}
				}
			case *syntax.AssignStmt:
				if ix, ok := n.LHS.(*syntax.IndexExpr); ok {
					if g, ok := ix.X.(*syntax.Ident); ok && isGlobal(g) {
						info.mutates = append(info.mutates, use{g.Name, g.NamePos, g.Name + "[...] " + n.Op.String()})
					}
				}
			}
			return true
		})
	}
	fi.funcs[fn.Pos] = info

	record := func(id *syntax.Ident, inLoop bool) {
		if b, ok := id.Binding.(*resolve.Binding); ok && b.Scope == resolve.Cell {
			key := b.First.NamePos
			fi.cells[key] = append(fi.cells[key], site{id.NamePos, inLoop})
		}
	}
	for _, p := range fn.Params {
		if id := paramIdent(p); id != nil {
			record(id, false)
		}
	}
	bindings(fn.Body, false, record)
}

func isGlobal(id *syntax.Ident) bool {
	b, ok := id.Binding.(*resolve.Binding)
	return ok && b.Scope == resolve.Global
}

// paramIdent returns the name a parameter binds, or nil for a bare '*'.
func paramIdent(p syntax.Expr) *syntax.Ident {
	switch p := p.(type) {
	case *syntax.Ident:
		return p
	case *syntax.BinaryExpr: // name=default
		return paramIdent(p.X)
	case *syntax.UnaryExpr: // *args, **kwargs
		if p.X != nil {
			return paramIdent(p.X)
		}
	}
	return nil
}

// bindings calls bind for every name that stmts bind in their own scope:
// assignments, loop variables, defs, loads and comprehension variables, but
// nothing inside nested functions.
func bindings(stmts []syntax.Stmt, inLoop bool, bind func(id *syntax.Ident, inLoop bool)) {
	for _, stmt := range stmts {
		switch s := stmt.(type) {
		case *syntax.AssignStmt:
			targets(s.LHS, inLoop, bind)
			comprehensions(s.RHS, bind)
		case *syntax.DefStmt:
			bind(s.Name, inLoop)
		case *syntax.LoadStmt:
			for _, id := range s.To {
				bind(id, inLoop)
			}
		case *syntax.ForStmt:
			comprehensions(s.X, bind)
			targets(s.Vars, true, bind)
			bindings(s.Body, true, bind)
		case *syntax.WhileStmt:
			comprehensions(s.Cond, bind)
			bindings(s.Body, true, bind)
		case *syntax.IfStmt:
			comprehensions(s.Cond, bind)
			bindings(s.True, inLoop, bind)
			bindings(s.False, inLoop, bind)
		case *syntax.ExprStmt:
			comprehensions(s.X, bind)
		case *syntax.ReturnStmt:
			if s.Result != nil {
				comprehensions(s.Result, bind)
			}
		}
	}
}

// targets calls bind for each name an assignment target binds.
func targets(lhs syntax.Expr, inLoop bool, bind func(*syntax.Ident, bool)) {
	switch x := lhs.(type) {
	case *syntax.Ident:
		bind(x, inLoop)
	case *syntax.ParenExpr:
		targets(x.X, inLoop, bind)
	case *syntax.TupleExpr:
		for _, e := range x.List {
			targets(e, inLoop, bind)
		}
	case *syntax.ListExpr:
		for _, e := range x.List {
			targets(e, inLoop, bind)
		}
	}
}

// comprehensions calls bind for the variables of the comprehensions in e,
// which are rebound on every iteration.
func comprehensions(e syntax.Expr, bind func(*syntax.Ident, bool)) {
	syntax.Walk(e, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.LambdaExpr:
			return false
		case *syntax.ForClause:
			targets(n.Vars, true, bind)
		}
		return true
	})
}
