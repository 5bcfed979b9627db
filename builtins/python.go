package builtins

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"go.starlark.net/syntax"

	"github.com/starpool/starpool/runtime"

	"go.starlark.net/starlark"
)

// pow implements Python's pow(base, exp, mod=None): exact for integers
// (a negative exponent gives a float), modular with mod (a negative
// exponent then takes the modular inverse), and floating point otherwise.
func pow(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var base, exp, mod starlark.Value = nil, nil, starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "base", &base, "exp", &exp, "mod?", &mod); err != nil {
		return nil, err
	}
	x, xInt := base.(starlark.Int)
	y, yInt := exp.(starlark.Int)
	if mod != starlark.None {
		m, mInt := mod.(starlark.Int)
		if !xInt || !yInt || !mInt {
			return nil, pyError(b.Name(), "TypeError", "pow() 3rd argument not allowed unless all arguments are integers")
		}
		return modPow(b, x.BigInt(), y.BigInt(), m.BigInt())
	}
	if xInt && yInt {
		if y.Sign() >= 0 {
			return starlark.MakeBigInt(new(big.Int).Exp(x.BigInt(), y.BigInt(), nil)), nil
		}
	}
	fx, ok1 := starlark.AsFloat(base)
	fy, ok2 := starlark.AsFloat(exp)
	if !ok1 || !ok2 {
		return nil, pyError(b.Name(), "TypeError", "unsupported operand type(s) for ** or pow(): '%s' and '%s'", base.Type(), exp.Type())
	}
	if fx == 0 && fy < 0 {
		return nil, pyError(b.Name(), "ZeroDivisionError", "0.0 cannot be raised to a negative power")
	}
	if fx < 0 && fy != math.Trunc(fy) {
		return nil, pyError(b.Name(), "ValueError", "a negative number cannot be raised to a fractional power (the result is complex)")
	}
	r := math.Pow(fx, fy)
	if math.IsInf(r, 0) && !math.IsInf(fx, 0) && !math.IsInf(fy, 0) {
		return nil, pyError(b.Name(), "OverflowError", "(34, 'Numerical result out of range')")
	}
	return starlark.Float(r), nil
}

// modPow computes x**y % m with Python's sign conventions.
func modPow(b *starlark.Builtin, x, y, m *big.Int) (starlark.Value, error) {
	if m.Sign() == 0 {
		return nil, pyError(b.Name(), "ValueError", "pow() 3rd argument cannot be 0")
	}
	absM := new(big.Int).Abs(m)
	if y.Sign() < 0 {
		inv := new(big.Int).ModInverse(new(big.Int).Mod(x, absM), absM)
		if inv == nil {
			return nil, pyError(b.Name(), "ValueError", "base is not invertible for the given modulus")
		}
		x, y = inv, new(big.Int).Neg(y)
	}
	r := new(big.Int).Exp(new(big.Int).Mod(x, absM), y, absM)
	if m.Sign() < 0 && r.Sign() != 0 {
		r.Add(r, m) // Python's result takes the sign of the modulus
	}
	return starlark.MakeBigInt(r), nil
}

// round implements Python's round(number, ndigits=None): to the nearest
// integer with ties to even, or to ndigits decimal places, correctly
// rounded from the float's exact value as Python does (round(2.675, 2) is
// 2.67).
func round(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var number, ndigits starlark.Value = nil, starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "number", &number, "ndigits?", &ndigits); err != nil {
		return nil, err
	}
	if ndigits == starlark.None {
		switch x := number.(type) {
		case starlark.Int:
			return x, nil
		case starlark.Float:
			if math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) {
				return nil, fmt.Errorf("%s: cannot convert float %s to integer", b.Name(), x)
			}
			return starlark.NumberToInt(starlark.Float(math.RoundToEven(float64(x))))
		}
		return nil, pyError(b.Name(), "TypeError", "type %s doesn't define __round__ method", number.Type())
	}
	n, err := starlark.AsInt32(ndigits)
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter ndigits: got %s, want int or None", b.Name(), ndigits.Type())
	}
	switch x := number.(type) {
	case starlark.Int:
		if n >= 0 {
			return x, nil
		}
		unit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n)), nil)
		q, r := new(big.Int).DivMod(x.BigInt(), unit, new(big.Int))
		twice := new(big.Int).Lsh(r, 1)
		if c := twice.Cmp(unit); c > 0 || (c == 0 && q.Bit(0) == 1) {
			q.Add(q, big.NewInt(1))
		}
		return starlark.MakeBigInt(q.Mul(q, unit)), nil
	case starlark.Float:
		f := float64(x)
		if math.IsInf(f, 0) || math.IsNaN(f) || n > 300 {
			return x, nil
		}
		if n < 0 {
			unit := math.Pow(10, float64(-n))
			return starlark.Float(math.RoundToEven(f/unit) * unit), nil
		}
		r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', int(n), 64), 64)
		return starlark.Float(r), nil
	}
	return nil, pyError(b.Name(), "TypeError", "type %s doesn't define __round__ method", number.Type())
}

// print implements Python's print(*args, sep=" ", end="\n", flush=False):
// the line goes out whole, so lines printed by concurrent tasks never
// interleave. Python-flavored scripts see values as CPython prints them
// (['a', 'b']); strict ones as Starlark does (["a", "b"]).
func print(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	sep, end := " ", "\n"
	var flush bool
	if err := starlark.UnpackArgs(b.Name(), nil, kwargs, "sep?", &sep, "end?", &end, "flush?", &flush); err != nil {
		return nil, err
	}
	rt := runtime.Of(thread)
	if rt == nil {
		return nil, fmt.Errorf("%s: not called from a starpool script", b.Name())
	}
	var line strings.Builder
	for i, a := range args {
		if i > 0 {
			line.WriteString(sep)
		}
		switch s, isString := a.(starlark.String); {
		case isString:
			line.WriteString(string(s))
		case rt.Strict():
			line.WriteString(a.String())
		default:
			line.WriteString(runtime.PyStr(a))
		}
	}
	line.WriteString(end)
	runtime.Print(thread, line.String())
	return starlark.None, nil
}

// sum implements Python's sum(iterable, /, start=0).
func sum(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var iterable starlark.Iterable
	var acc starlark.Value = starlark.MakeInt(0)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "iterable", &iterable, "start?", &acc); err != nil {
		return nil, err
	}
	if _, ok := acc.(starlark.String); ok {
		return nil, pyError(b.Name(), "TypeError", "sum() can't sum strings [use ''.join(seq) instead]")
	}
	for x := range starlark.Elements(iterable) {
		var err error
		if acc, err = starlark.Binary(syntax.PLUS, acc, x); err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
	}
	return acc, nil
}

// divmod implements Python's divmod(a, b): (a // b, a % b).
func divmod(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x, y starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &x, &y); err != nil {
		return nil, err
	}
	q, err := starlark.Binary(syntax.SLASHSLASH, x, y)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	r, err := starlark.Binary(syntax.PERCENT, x, y)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.Tuple{q, r}, nil
}
