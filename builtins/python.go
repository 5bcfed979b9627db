package builtins

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"

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
			return nil, fmt.Errorf("%s: TypeError: pow() 3rd argument not allowed unless all arguments are integers", b.Name())
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
		return nil, fmt.Errorf("%s: TypeError: unsupported operand type(s) for ** or pow(): '%s' and '%s'", b.Name(), base.Type(), exp.Type())
	}
	if fx == 0 && fy < 0 {
		return nil, fmt.Errorf("%s: ZeroDivisionError: 0.0 cannot be raised to a negative power", b.Name())
	}
	if fx < 0 && fy != math.Trunc(fy) {
		return nil, fmt.Errorf("%s: ValueError: a negative number cannot be raised to a fractional power (the result is complex)", b.Name())
	}
	return starlark.Float(math.Pow(fx, fy)), nil
}

// modPow computes x**y % m with Python's sign conventions.
func modPow(b *starlark.Builtin, x, y, m *big.Int) (starlark.Value, error) {
	if m.Sign() == 0 {
		return nil, errors.New(b.Name() + ": ValueError: pow() 3rd argument cannot be 0")
	}
	absM := new(big.Int).Abs(m)
	if y.Sign() < 0 {
		inv := new(big.Int).ModInverse(new(big.Int).Mod(x, absM), absM)
		if inv == nil {
			return nil, errors.New(b.Name() + ": ValueError: base is not invertible for the given modulus")
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
		return nil, fmt.Errorf("%s: TypeError: type %s doesn't define __round__ method", b.Name(), number.Type())
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
	return nil, fmt.Errorf("%s: TypeError: type %s doesn't define __round__ method", b.Name(), number.Type())
}
