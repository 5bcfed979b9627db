package builtins

import (
	"errors"
	"fmt"
	"math"
	"math/big"

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
