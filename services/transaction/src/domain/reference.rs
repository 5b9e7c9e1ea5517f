//! `TXN-<10 digits>-<8 upper alphanumerics>`: seconds since the epoch, then randomness.

use rand::Rng;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

pub fn generate(now_secs: i64) -> String {
    let mut rng = rand::thread_rng();
    let tail: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("TXN-{:010}-{tail}", now_secs.rem_euclid(10_000_000_000))
}

/// Only well-formed references reach the database.
pub fn is_valid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 23
        && s.starts_with("TXN-")
        && b[4..14].iter().all(u8::is_ascii_digit)
        && b[14] == b'-'
        && b[15..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_references_have_the_documented_shape() {
        for _ in 0..100 {
            let r = generate(1_741_082_580);
            assert!(is_valid(&r), "{r}");
            assert!(r.starts_with("TXN-1741082580-"));
        }
        assert!(!is_valid("TXN-123-ABC"));
        assert!(!is_valid("TXN-9812345678-a1b2c3d4"));
        assert!(is_valid("TXN-9812345678-A1B2C3D4"));
    }
}
