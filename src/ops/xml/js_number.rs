//! JavaScript's `Number::toString` (what `String(x)` gives) for the XML converters: every
//! library they reproduce prints numbers through it, so all of them share this one copy.

/// Appends `Number::prototype::toString(x)` (what `String(x)` gives in JS) for a finite `x`.
/// `-0` prints as `"0"` like JS; callers that need fast-xml-builder's sign-preserving
/// `valToStr` check for negative zero themselves.
pub fn push_js_number(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push('0');
        return;
    }
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x < 0.0 { "-Infinity" } else { "Infinity" });
        return;
    }
    if x < 0.0 {
        out.push('-');
    }
    let a = x.abs();
    // Integers below 2^53 print their plain digits; this is the common case.
    if a < 9007199254740992.0 && a.fract() == 0.0 {
        itoa_u64(out, a as u64);
        return;
    }
    // Rust's `{:e}` yields the shortest digit string that round-trips, as ECMAScript requires.
    let mut sci = format!("{a:e}");
    // `{:e}` breaks an exact tie between two shortest candidates upwards; ECMAScript picks the
    // even one. Ties need 16+ digits; `{:.N e}` rounds the exact value half-to-even, and the
    // nearest decimal of the shortest length round-trips whenever any does.
    let len = sci.split_once('e').map_or(0, |(m, _)| m.len());
    if len >= 16 {
        let k = sci
            .split_once('e')
            .map_or(0, |(m, _)| m.chars().filter(|c| *c != '.').count());
        sci = format!("{a:.*e}", k - 1);
    }
    let (mant, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp + 1; // value = 0.d1d2.. * 10^n
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let e = n - 1;
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&e.unsigned_abs().to_string());
    }
}

fn itoa_u64(out: &mut String, mut v: u64) {
    let mut b = [0u8; 20];
    let mut i = b.len();
    loop {
        i -= 1;
        b[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&b[i..]).unwrap());
}

/// `String(x)` for a JS number, as a new string.
pub fn js_number_to_string(x: f64) -> String {
    let mut out = String::new();
    push_js_number(&mut out, x);
    out
}

#[cfg(test)]
mod tests {
    /// An exact tie between two shortest decimals: JavaScript prints the even one.
    #[test]
    fn a_tie_prints_the_even_digit_as_javascript_does() {
        let mut out = String::new();
        // exactly 30.9711456298828125, halfway between ...812 and ...813
        let tie: f64 = "30.9711456298828125".parse().unwrap();
        super::push_js_number(&mut out, tie);
        assert_eq!(out, "30.971145629882812");
        out.clear();
        super::push_js_number(&mut out, 0.1 + 0.2);
        assert_eq!(out, "0.30000000000000004");
    }

    #[test]
    fn every_form_of_number_to_string() {
        use super::js_number_to_string as f;
        assert_eq!(f(1e21), "1e+21");
        assert_eq!(f(1e20), "100000000000000000000");
        assert_eq!(f(-0.0), "0");
        assert_eq!(f(1e-7), "1e-7");
        assert_eq!(f(1.5e-7), "1.5e-7");
        assert_eq!(f(0.000001), "0.000001");
        assert_eq!(f(123.456), "123.456");
        assert_eq!(f(-42.0), "-42");
        assert_eq!(f(5e-324), "5e-324");
        assert_eq!(f(1.7976931348623157e308), "1.7976931348623157e+308");
        assert_eq!(f(2f64.powi(60)), "1152921504606847000");
        assert_eq!(f(f64::NAN), "NaN");
        assert_eq!(f(f64::NEG_INFINITY), "-Infinity");
    }
}
