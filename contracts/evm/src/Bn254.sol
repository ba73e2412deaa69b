// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice A point of BN254 (alt_bn128) G1, affine; (0, 0) is the point at infinity.
struct G1Point {
    uint256 X;
    uint256 Y;
}

/// @notice A point of BN254 G2, affine, coordinates in Fp2 in the order the EIP-197
/// precompile reads them: X[0], Y[0] the imaginary parts, X[1], Y[1] the real parts.
struct G2Point {
    uint256[2] X;
    uint256[2] Y;
}

/// @notice BN254 arithmetic on the EIP-196/197 precompiles (0x06 add, 0x07 mul, 0x08
/// pairing) and a try-and-increment hash to G1 on the EIP-198 modexp precompile (0x05).
/// @dev The precompiles reject points off the curve (and, for G2, off the subgroup) by
/// failing; every failure reverts with PrecompileFailed naming the precompile, so an invalid
/// point never reads as a valid one.
library Bn254 {
    /// The base field modulus p.
    uint256 internal constant P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// The group order r (of G1, G2 and the scalars).
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// (p + 1) / 4: since p = 3 mod 4, β^((p+1)/4) is a square root of β when one exists.
    uint256 private constant SQRT_EXPONENT = 0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;

    // −G2 generator (EIP-197 order); a pairing check e(a, −g2)·e(b, Q) == 1 states
    // e(a, g2) == e(b, Q) without negating a caller's point.
    uint256 private constant NEG_G2_X_IMAG = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 private constant NEG_G2_X_REAL = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 private constant NEG_G2_Y_IMAG = 17805874995975841540914202342111839520379459829704422454583296818431106115052;
    uint256 private constant NEG_G2_Y_REAL = 13392588948715843804641432497768002650278120570034223513918757245338268106653;

    /// A precompile call failed: an input point is not on its curve (or subgroup), or the
    /// call ran out of gas.
    error PrecompileFailed(uint256 precompile);

    /// @notice The G1 generator (1, 2).
    function g1() internal pure returns (G1Point memory) {
        return G1Point(1, 2);
    }

    /// @notice The negation of the G2 generator.
    function negG2() internal pure returns (G2Point memory) {
        return G2Point([NEG_G2_X_IMAG, NEG_G2_X_REAL], [NEG_G2_Y_IMAG, NEG_G2_Y_REAL]);
    }

    /// @notice Whether `point` is the point at infinity.
    function isInfinity(G1Point memory point) internal pure returns (bool) {
        return point.X == 0 && point.Y == 0;
    }

    /// @notice −point (infinity stays infinity).
    function negate(G1Point memory point) internal pure returns (G1Point memory) {
        if (isInfinity(point)) return point;
        return G1Point(point.X, P - (point.Y % P));
    }

    /// @notice a + b on precompile 0x06.
    function add(G1Point memory a, G1Point memory b) internal view returns (G1Point memory sum) {
        uint256[4] memory input = [a.X, a.Y, b.X, b.Y];
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x06, input, 0x80, sum, 0x40)
        }
        if (!ok) revert PrecompileFailed(0x06);
    }

    /// @notice scalar · point on precompile 0x07.
    function mul(G1Point memory point, uint256 scalar) internal view returns (G1Point memory product) {
        uint256[3] memory input = [point.X, point.Y, scalar];
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x07, input, 0x60, product, 0x40)
        }
        if (!ok) revert PrecompileFailed(0x07);
    }

    /// @notice Whether e(a1, a2) · e(b1, b2) == 1, on precompile 0x08.
    function pairing2(G1Point memory a1, G2Point memory a2, G1Point memory b1, G2Point memory b2)
        internal
        view
        returns (bool)
    {
        // G2Point's arrays are separate memory objects, so the 12 words are laid out here.
        uint256[12] memory input = [
            a1.X, a1.Y, a2.X[0], a2.X[1], a2.Y[0], a2.Y[1],
            b1.X, b1.Y, b2.X[0], b2.X[1], b2.Y[0], b2.Y[1]
        ];
        uint256[1] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, input, 0x180, out, 0x20)
        }
        if (!ok) revert PrecompileFailed(0x08);
        return out[0] == 1;
    }

    /// @notice Maps a digest to G1 (WAVS rule, shared with the host): x = digest mod p;
    /// while x³ + 3 has no square root mod p, x = x + 1 mod p; y = (x³ + 3)^((p+1)/4).
    /// @dev About half of all x are on the curve, so the loop runs twice on average. G1 has
    /// cofactor 1: every curve point is in the group.
    function hashToG1(bytes32 digest) internal view returns (G1Point memory) {
        uint256 x = uint256(digest) % P;
        while (true) {
            uint256 beta = addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
            uint256 y = _expModP(beta, SQRT_EXPONENT);
            if (mulmod(y, y, P) == beta) return G1Point(x, y);
            x = addmod(x, 1, P);
        }
        revert(); // unreachable; the compiler cannot see that the loop only returns
    }

    /// base^exponent mod p on precompile 0x05.
    function _expModP(uint256 base, uint256 exponent) private view returns (uint256 result) {
        // Lengths of base, exponent and modulus (32 bytes each), then the three values.
        uint256[6] memory input = [uint256(32), 32, 32, base, exponent, P];
        uint256[1] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x05, input, 0xc0, out, 0x20)
        }
        if (!ok) revert PrecompileFailed(0x05);
        result = out[0];
    }
}
