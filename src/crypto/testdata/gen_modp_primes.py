#!/usr/bin/python3
"""Recomputes the RFC 3526 MODP primes from their published definition,
p = 2^N - 2^(N-64) - 1 + 2^64 * (floor(2^(N-130) * pi) + k), with pi
computed here by Machin's formula, and prints the sha256 of each prime's
big-endian bytes (embedded in dh_test.c)."""
import hashlib

def pi_scaled(bits):
    """floor(pi * 2^bits), with guard bits."""
    guard = 64
    one = 1 << (bits + guard)
    def arctan_inv(x):
        total, term, n, sign = 0, one // x, 1, 1
        x2 = x * x
        while term:
            total += sign * (term // n)
            term //= x2
            n += 2
            sign = -sign
        return total
    return (16 * arctan_inv(5) - 4 * arctan_inv(239)) >> guard

for n, k in ((2048, 124476), (4096, 240904), (8192, 4743158)):
    p = 2**n - 2**(n - 64) - 1 + 2**64 * (pi_scaled(n - 130) + k)
    b = p.to_bytes(n // 8, 'big')
    print(n, b[:8].hex(), hashlib.sha256(b).hexdigest())
