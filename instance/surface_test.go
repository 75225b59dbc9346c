package instance

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lowerPackages are the packages instance/ is built on and must not show.
var lowerPackages = []string{"github.com/wpi-dev/wpi/decoder", "github.com/wpi-dev/wpi/engine"}

// The source importer type-checks the imported packages (wazero's api,
// ...) once for all the tests.
var (
	sourceFset     = token.NewFileSet()
	sourceImporter = importer.ForCompiler(sourceFset, "source", nil)
)

// checkedPackage type-checks the non-test Go files of the directory dir.
func checkedPackage(t *testing.T, dir string) *types.Package {
	t.Helper()
	fset := sourceFset
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: sourceImporter}
	pkg, err := conf.Check("github.com/wpi-dev/wpi/instance", fset, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

// lowerMentions lists the lower-package types that typ mentions.
func lowerMentions(typ types.Type, seen map[types.Type]bool) []string {
	if seen[typ] {
		return nil
	}
	seen[typ] = true
	var out []string
	switch t := typ.(type) {
	case *types.Alias:
		out = append(out, lowerMentions(types.Unalias(t), seen)...)
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil {
			for _, lp := range lowerPackages {
				if p.Path() == lp {
					out = append(out, p.Name()+"."+t.Obj().Name())
				}
			}
			if p.Path() == "github.com/wpi-dev/wpi/instance" && t.Obj().Exported() {
				// An exported type of the package is checked on its own.
				return out
			}
		}
		for i := 0; i < t.TypeArgs().Len(); i++ {
			out = append(out, lowerMentions(t.TypeArgs().At(i), seen)...)
		}
		out = append(out, lowerMentions(t.Underlying(), seen)...)
	case *types.Pointer:
		out = append(out, lowerMentions(t.Elem(), seen)...)
	case *types.Slice:
		out = append(out, lowerMentions(t.Elem(), seen)...)
	case *types.Array:
		out = append(out, lowerMentions(t.Elem(), seen)...)
	case *types.Map:
		out = append(out, lowerMentions(t.Key(), seen)...)
		out = append(out, lowerMentions(t.Elem(), seen)...)
	case *types.Chan:
		out = append(out, lowerMentions(t.Elem(), seen)...)
	case *types.Signature:
		for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
			for i := 0; i < tup.Len(); i++ {
				out = append(out, lowerMentions(tup.At(i).Type(), seen)...)
			}
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if f := t.Field(i); f.Exported() {
				out = append(out, lowerMentions(f.Type(), seen)...)
			}
		}
	case *types.Interface:
		for i := 0; i < t.NumMethods(); i++ {
			if m := t.Method(i); m.Exported() {
				out = append(out, lowerMentions(m.Type(), seen)...)
			}
		}
		for i := 0; i < t.NumEmbeddeds(); i++ {
			out = append(out, lowerMentions(t.EmbeddedType(i), seen)...)
		}
	}
	return out
}

// surfaceLeaks lists "identifier: type" for every exported identifier of
// pkg (constants, variables, functions, types, their exported fields and
// methods) whose type mentions a type of a lower package.
func surfaceLeaks(pkg *types.Package) []string {
	var leaks []string
	report := func(what string, typ types.Type) {
		for _, m := range lowerMentions(typ, map[types.Type]bool{}) {
			leaks = append(leaks, what+": "+m)
		}
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		if tn, ok := obj.(*types.TypeName); ok {
			if tn.IsAlias() {
				report(name, obj.Type())
				continue
			}
			named, ok := obj.Type().(*types.Named)
			if !ok {
				continue
			}
			report(name, named.Underlying())
			for i := 0; i < named.TypeParams().Len(); i++ {
				report(name, named.TypeParams().At(i).Constraint())
			}
			for _, recv := range []types.Type{named, types.NewPointer(named)} {
				ms := types.NewMethodSet(recv)
				for i := 0; i < ms.Len(); i++ {
					if m := ms.At(i).Obj(); m.Exported() {
						report(name+"."+m.Name(), m.Type())
					}
				}
			}
			continue
		}
		report(name, obj.Type())
	}
	sort.Strings(leaks)
	return slices.Compact(leaks) // methods of T are in *T's method set too
}

// TestSurfaceHasNoLowerTypes: no exported identifier of instance/ mentions
// a type of decoder/ or engine/, so that a user needs neither.
func TestSurfaceHasNoLowerTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the package from source")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string(nil), surfaceLeaks(checkedPackage(t, wd))); diff != "" {
		t.Errorf("exported identifiers mentioning decoder/engine types (-want +got):\n%s", diff)
	}
}

// TestSurfaceCheckFindsLeaks: the check above reports a type alias, a
// method's parameter, a struct field and a variable of a lower type.
func TestSurfaceCheckFindsLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a package from source")
	}
	dir := t.TempDir()
	src := `package instance

import (
	"github.com/wpi-dev/wpi/decoder"
	"github.com/wpi-dev/wpi/engine"
)

type Limits = decoder.Limits

type Desc struct {
	Kind decoder.ExternKind
	kind decoder.ExternKind
}

type M struct{}

func (M) Names(k decoder.ExternKind) []string { return nil }

func (M) ok(k decoder.ExternKind) {}

var ErrTrapUnreachable = engine.ErrUnreachable
`
	if err := os.WriteFile(filepath.Join(dir, "leak.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Desc: decoder.ExternKind",
		"ErrTrapUnreachable: engine.Trap",
		"Limits: decoder.Limits",
		"M.Names: decoder.ExternKind",
	}
	if diff := cmp.Diff(want, surfaceLeaks(checkedPackage(t, dir))); diff != "" {
		t.Errorf("leaks found in a leaking package (-want +got):\n%s", diff)
	}
}

// TestEveryEngineTrapHasAName: each trap kind the engine declares (a
// variable initialised with &Trap{"message"} in engine/) maps to one of
// the package's ErrTrap values, with the same message.
func TestEveryEngineTrapHasAName(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join("..", "engine", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]string{} // message -> variable
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			vs, ok := node.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, v := range vs.Values {
				u, ok := v.(*ast.UnaryExpr)
				if !ok || u.Op != token.AND {
					continue
				}
				cl, ok := u.X.(*ast.CompositeLit)
				if id, isID := cl.Type.(*ast.Ident); !ok || !isID || id.Name != "Trap" || len(cl.Elts) != 1 {
					continue
				}
				if lit, ok := cl.Elts[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					msg, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					declared[msg] = vs.Names[i].Name
				}
			}
			return true
		})
	}
	if len(declared) == 0 {
		t.Fatal("found no trap kinds in engine/")
	}
	mapped := map[string]bool{}
	for k, v := range trapOf {
		if k.Error() != v.Error() {
			t.Errorf("engine trap %q is instance's %q", k.Error(), v.Error())
		}
		mapped[k.Error()] = true
	}
	var missing []string
	for msg, name := range declared {
		if !mapped[msg] {
			missing = append(missing, name+" ("+msg+")")
		}
	}
	sort.Strings(missing)
	if diff := cmp.Diff([]string(nil), missing); diff != "" {
		t.Errorf("engine trap kinds without an instance ErrTrap name (-want +got):\n%s", diff)
	}
}
