//! The machine-readable statements Quorum writes under a signature (ký số), in a signed
//! PDF's `/Keywords`: a prefix naming the kind and version, then `name=value` fields in
//! a fixed order.

/// The values of `names`, in order, when `text` is `prefix` followed by exactly those
/// fields; `None` otherwise.
pub(crate) fn fields<const N: usize>(
    text: &str,
    prefix: &str,
    names: [&str; N],
) -> Option<[String; N]> {
    let mut words = text.split_whitespace();
    if words.next()? != prefix {
        return None;
    }
    let mut values: [String; N] = std::array::from_fn(|_| String::new());
    for (value, name) in values.iter_mut().zip(names) {
        *value = words
            .next()?
            .strip_prefix(name)?
            .strip_prefix('=')?
            .to_string();
    }
    words.next().is_none().then_some(values)
}

/// Whether `text` is a SHA-256 in hexadecimal.
pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}
