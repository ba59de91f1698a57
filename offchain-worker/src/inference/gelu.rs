//! GELU with the exact (erf) form that BERT uses, fast on CPU backends.
//!
//! burn's `gelu` evaluates libm's scalar `erff` per element, which took 14 % of MiniLM's time on
//! the CPU. On the CPU backends the activation is computed here on the host instead, with
//! Abramowitz & Stegun's formula 7.1.26 for erf (absolute error ≤ 1.5e-7, ≤ 5e-7 in f32) and
//! its one exponential by a polynomial ([`exp_nonpositive`]) instead of libm's scalar `expf`:
//! the embeddings move by ~1e-14 in 1 − cos, far inside the honest tolerance. The loop is pure
//! arithmetic without branches, so it is vectorized (AVX2 where there is one) and gives the same
//! bits on every machine, which keeps the reference backend bit-identical. On the serving
//! backend it runs in place, in the tensor's own storage. GPU backends keep burn's kernel, which
//! runs on the device.

use burn::tensor::{activation::gelu, DType, Tensor, TensorData};
use burn_dispatch::DispatchDevice;
use burn_flex::Flex;

/// `x · Φ(x)` with `Φ` the standard normal CDF.
pub fn gelu_exact<const D: usize>(x: Tensor<D>) -> Tensor<D> {
	match x.device().as_dispatch() {
		DispatchDevice::Flex(_) if x.dtype() == DType::F32 => in_place_on_flex(x),
		DispatchDevice::Flex(_) | DispatchDevice::NdArray(_) => on_host(x),
		#[allow(unreachable_patterns)] // GPU backends exist with the `wgpu` feature only.
		_ => gelu(x),
	}
}

/// The activation in the Flex tensor's own storage: copied only if something else shares it.
fn in_place_on_flex<const D: usize>(x: Tensor<D>) -> Tensor<D> {
	let Ok(t) = x.clone().try_into_primitive::<Flex>() else {
		return on_host(x);
	};
	// Dropping `x` leaves `t` the storage's only owner, unless the caller kept a clone.
	drop(x);
	let dense = t.is_contiguous()
		&& t.layout().start_offset() == 0
		&& t.storage::<f32>().len() == t.layout().num_elements();
	let mut t = if dense { t } else { t.to_contiguous() };
	gelu_in_place(t.storage_mut::<f32>());
	Tensor::from_primitive::<Flex>(t)
}

/// A copy through the host, for the reference backend (and f16 on Flex, which falls back to
/// burn's kernel).
fn on_host<const D: usize>(x: Tensor<D>) -> Tensor<D> {
	let device = x.device();
	let shape = x.shape();
	let Ok(mut values) = x.clone().into_data().try_into_vec::<f32>() else {
		return gelu(x);
	};
	gelu_in_place(&mut values);
	Tensor::from_data(TensorData::new(values, shape), &device)
}

fn gelu_in_place(values: &mut [f32]) {
	with_avx2(|| {
		for v in values.iter_mut() {
			*v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
		}
	})
}

/// Runs `f` compiled for AVX2 where the processor has it: eight f32 lanes instead of the four
/// of the x86-64 baseline (SSE2) the crate is built for. `f` is inlined into the AVX2 function,
/// so its loop is vectorized for AVX2; the arithmetic stays the same (no fused multiply-add is
/// formed), so the result is the same bits with or without it.
#[inline(always)]
fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
	#[cfg(target_arch = "x86_64")]
	if std::arch::is_x86_feature_detected!("avx2") {
		#[target_feature(enable = "avx2")]
		fn run<R>(f: impl FnOnce() -> R) -> R {
			f()
		}
		// SAFETY: the processor was just found to support AVX2.
		return unsafe { run(f) };
	}
	f()
}

/// erf by Abramowitz & Stegun 7.1.26.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
	const P: f32 = 0.327_591_1;
	const A: [f32; 5] = [0.254_829_6, -0.284_496_74, 1.421_413_8, -1.453_152_1, 1.061_405_4];
	let z = x.abs();
	let t = 1.0 / (1.0 + P * z);
	let poly = t * (A[0] + t * (A[1] + t * (A[2] + t * (A[3] + t * A[4]))));
	(1.0 - poly * exp_nonpositive(-z * z)).copysign(x)
}

/// `e^y` for `y ≤ 0`: `2^n · e^r` with `n` the integer nearest `y · log2(e)` and
/// `r = y − n · ln 2 ∈ [−ln 2 / 2, ln 2 / 2]` (with `ln 2` in two parts, after Cody and Waite, so
/// that `r` comes out exact); `e^r` by its degree-7 Taylor polynomial (truncation below 1e-8
/// relative, so f32 rounding is all the error), `2^n` written straight into the exponent bits.
/// Below `y = −87` it returns `e^−87`, about 1.6e-38, which `erf` cannot tell from 0.
#[inline(always)]
fn exp_nonpositive(y: f32) -> f32 {
	// 1 / k!, k = 2..=7.
	const C: [f32; 6] =
		[0.5, 0.166_666_67, 0.041_666_668, 0.008_333_334, 0.001_388_888_9, 0.000_198_412_7];
	const LN2_HI: f32 = 0.693_359_4;
	const LN2_LO: f32 = -2.121_944_4e-4;
	// Adding 1.5 · 2^23 rounds to an integer, which lands in the low bits of the sum.
	const SHIFT: f32 = 12_582_912.0;
	let y = y.max(-87.0);
	let shifted = y * std::f32::consts::LOG2_E + SHIFT;
	let n = shifted - SHIFT;
	let r = (y - n * LN2_HI) - n * LN2_LO;
	let p =
		1.0 + r * (1.0 + r * (C[0] + r * (C[1] + r * (C[2] + r * (C[3] + r * (C[4] + r * C[5]))))));
	let exponent = (shifted.to_bits() as i32 - SHIFT.to_bits() as i32 + 127) as u32;
	p * f32::from_bits(exponent << 23)
}

#[cfg(test)]
mod tests {
	use super::{erf, exp_nonpositive};

	/// erf in f64 by its Taylor series (converges well for |x| < 4; erf(4) = 1 - 1.5e-8).
	fn erf_series(x: f64) -> f64 {
		let (mut sum, mut term, mut n): (f64, f64, f64) = (0.0, x, 0.0);
		while term.abs() > 1e-17 * sum.abs().max(1e-300) || n < 1.0 {
			sum += term / (2.0 * n + 1.0);
			n += 1.0;
			term *= -x * x / n;
		}
		sum * 2.0 / std::f64::consts::PI.sqrt()
	}

	#[test]
	fn the_exponential_is_within_f32_rounding() {
		let mut worst = 0f64;
		for i in 0..=174_000 {
			let y = -(i as f32) / 2000.0;
			let exact = f64::from(y).exp();
			worst = worst.max((f64::from(exp_nonpositive(y)) - exact).abs() / exact);
		}
		assert!(worst < 4e-7, "max relative error {worst}");
		assert_eq!(exp_nonpositive(0.0), 1.0);
		assert!(exp_nonpositive(-1e6) > 0.0 && exp_nonpositive(-1e6) < 2e-38);
	}

	#[test]
	fn erf_is_within_its_published_error() {
		let mut worst = 0f64;
		for i in -4000..=4000 {
			let x = i as f64 / 1000.0;
			worst = worst.max((f64::from(erf(x as f32)) - erf_series(x)).abs());
		}
		assert!(worst < 6e-7, "max error {worst}");
		assert!(erf(0.0).abs() < 1e-7);
		assert_eq!(erf(10.0), 1.0);
		assert_eq!(erf(-10.0), -1.0);
	}
}
