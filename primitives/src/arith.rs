//! Integer arithmetic the pallets that move AET share.

use sp_runtime::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};

/// `a · b / c`, rounded down, without overflow in between (a 256-bit intermediate); zero when
/// `c` is zero, the largest value when the result does not fit in 128 bits.
pub fn mul_div(a: u128, b: u128, c: u128) -> u128 {
	if c == 0 {
		return 0;
	}
	multiply_by_rational_with_rounding(a, b, c, Rounding::Down).unwrap_or(u128::MAX)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn mul_div_rounds_down_and_never_overflows_in_between() {
		assert_eq!(mul_div(7, 3, 2), 10);
		assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), u128::MAX);
		assert_eq!(mul_div(u128::MAX, 2, 4), u128::MAX / 2);
		assert_eq!(mul_div(1, 1, 0), 0, "nothing to divide by");
		assert_eq!(mul_div(u128::MAX, 2, 1), u128::MAX, "saturates when the result is too big");
	}
}
