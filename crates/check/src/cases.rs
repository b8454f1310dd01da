//! The elementary functions of `Float`, each on a domain where it is smooth:
//! a ready-made table for testing an AD number type.

/// Calls `$callback! { name in lo..hi => |x| expr; … }` with one case per
/// elementary function of `num_traits::Float` (and compositions that
/// exercise the binary ones), each on a domain away from singularities and
/// jumps, where central differences are accurate. Expressions are generic:
/// `x: S` with `S: Float`.
///
/// ```
/// macro_rules! count {
///     ($($name:ident in $lo:literal .. $hi:literal => |$x:ident| $body:expr;)*) => {
///         [$(stringify!($name)),*].len()
///     };
/// }
/// assert!(saddle_check::elementary_cases!(count) > 30);
/// ```
#[macro_export]
macro_rules! elementary_cases {
    ($callback:ident) => {
        $callback! {
            exp in -3.0..3.0 => |x| x.exp();
            exp2 in -3.0..3.0 => |x| x.exp2();
            exp_m1 in -3.0..3.0 => |x| x.exp_m1();
            ln in 0.05..5.0 => |x| x.ln();
            log2 in 0.05..5.0 => |x| x.log2();
            log10 in 0.05..5.0 => |x| x.log10();
            ln_1p in -0.9..5.0 => |x| x.ln_1p();
            sqrt in 0.05..5.0 => |x| x.sqrt();
            cbrt in 0.05..5.0 => |x| x.cbrt();
            recip in 0.1..5.0 => |x| x.recip();
            powi_3 in -3.0..3.0 => |x| x.powi(3);
            powi_neg2 in 0.2..3.0 => |x| x.powi(-2);
            powf_const_exponent in 0.1..3.0 => |x| x.powf(S::from(2.5).unwrap());
            powf_const_base in -2.0..2.0 => |x| S::from(1.7).unwrap().powf(x);
            powf_both in 0.2..3.0 => |x| x.powf(x.sin());
            sin in -4.0..4.0 => |x| x.sin();
            cos in -4.0..4.0 => |x| x.cos();
            tan in -1.3..1.3 => |x| x.tan();
            asin in -0.95..0.95 => |x| x.asin();
            acos in -0.95..0.95 => |x| x.acos();
            atan in -4.0..4.0 => |x| x.atan();
            sinh in -3.0..3.0 => |x| x.sinh();
            cosh in -3.0..3.0 => |x| x.cosh();
            tanh in -3.0..3.0 => |x| x.tanh();
            asinh in -3.0..3.0 => |x| x.asinh();
            acosh in 1.05..5.0 => |x| x.acosh();
            atanh in -0.95..0.95 => |x| x.atanh();
            abs in 0.05..3.0 => |x| (x - S::from(1.5).unwrap()).abs();
            to_degrees in -3.0..3.0 => |x| x.to_degrees();
            to_radians in -3.0..3.0 => |x| x.to_radians();
            fract_away_from_jumps in 0.1..0.9 => |x| (x + S::from(2.0).unwrap()).fract();
            neg in -3.0..3.0 => |x| -x;
            hypot in -3.0..3.0 => |x| x.hypot(x * S::from(0.5).unwrap() + S::one());
            atan2_y in -3.0..3.0 => |x| x.atan2(S::from(0.7).unwrap());
            atan2_x in -3.0..3.0 => |x| S::from(0.7).unwrap().atan2(x);
            log_base in 0.1..5.0 => |x| x.log(x + S::from(2.0).unwrap());
            max in -3.0..3.0 => |x| x.max(S::from(3.5).unwrap() - x * x);
            min in -3.0..3.0 => |x| x.min(x * x - S::from(3.5).unwrap());
            mul_add in -3.0..3.0 => |x| x.mul_add(x, x.sin());
            sin_cos in -3.0..3.0 => |x| { let (s, c) = x.sin_cos(); s * c };
            quotient_and_remainder in 0.3..3.0 => |x| x.sin() / x + (x * S::from(2.0).unwrap()) % x.exp();
        }
    };
}
