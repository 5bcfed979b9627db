# f-strings and str.format with format specs print what CPython prints.
x, n, s, big = 3.14159, 42, 'text', 1234567.891
print(f'{x}|{x:.2f}|{x:8.3f}|{x:<8.1f}|{x:^9.2f}|{x:+.1f}|{-x:.0f}')
print(f'{n}|{n:5}|{n:<5}|{n:^5}|{n:05}|{n:+d}|{n: d}|{-n:05d}')
print(f'{n:x}|{n:X}|{n:o}|{n:b}|{n:#x}|{n:#o}|{n:#b}|{255:08b}')
print(f'{big:,}|{big:,.2f}|{1234567:,}|{1234567:_}|{0xdeadbeef:_x}')
print(f'{0.256:.1%}|{1e-7:e}|{12345.678:.3e}|{1.5e10:g}|{0.0001:g}|{123456789.0:g}')
print(f'{s}|{s!r}|{s:>8}|{s:*<8}|{s:^8}|{s:.2}|{s!r:>10}')
print(f'{n=}|{x=:.1f}|{s=}|{n + 1 = }')
w, p = 10, 3
print(f'[{x:{w}.{p}f}]|[{s:>{w}}]')
print(f"{{literal}} {'nested'} {[1, 2][0]} {'a' + 'b'!r}")
items = ['a', 'b']
d = {'k': 'v'}
print(f'{items}|{d}|{(1, "two")}|{None}|{True}|{True:d}')
print(f'{d["k"]}|{len(items)}|{items[-1].upper()}')
print(f'''multi
{n} line''')
print('{} and {}'.format('a', 'b'), '{1}{0}'.format('x', 'y'), '{name:>6}'.format(name='nm'))
print('{:.3f}|{:>4}|{:,}'.format(2 / 3, 7, 10 ** 6))
print(f'{1.0}|{100.0:.3}|{1234.5:.3}|{0.5:.0}|{2.0 ** 0.5:.4}|{1e20}|{-0.0}')
print(1234567.891, 1e16, 1e15, 0.0001, 0.00001, 1 / 3, 2.5e-10, -1e22)
print(f'{float("inf")}|{float("-inf"):>6}|{float("nan")}|{float("inf"):.2f}')
