//! Sixteen bytes at a time through the normalizer's fast path (x86-64 SSE2).
//!
//! A chunk qualifies when every character in it is ASCII (no newline) or one of the
//! plain two-byte Arabic letters U+0620–U+063F and U+0641–U+064A, and no letter in it
//! stands alone after a word boundary (a possible spaced-out letter). Such a chunk needs
//! no look-around: at display level it is copied, at match level أ إ آ → ا, ى → ي,
//! ة → ه and A–Z → a–z are applied in the vector. Anything else returns `None` and the
//! scalar path takes over; the two are checked against each other by a property test.

/// What a qualifying chunk produced.
pub(crate) struct Chunk {
    /// The output bytes (same length as the input consumed; only `len` count).
    pub bytes: [u8; 32],
    /// Bytes consumed: the width (16 or 32), or one less when the last byte starts a
    /// two-byte letter.
    pub len: usize,
    /// Position (relative to the chunk) just after the last word-boundary byte.
    pub boundary_end: Option<usize>,
    /// Whether the last character is a word boundary (ASCII, not a letter).
    pub ends_at_boundary: bool,
    /// Whether the last character is an Arabic letter.
    pub ends_with_arabic: bool,
}

/// Try the chunk at `b[i..i + 16]`. Needs `i + 19 <= b.len()` (it looks three bytes
/// ahead) and `i` on a character boundary. `at_boundary`: the character before `i`
/// ends a word.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn chunk(
    b: &[u8],
    i: usize,
    at_boundary: bool,
    is_match: bool,
    lower: bool,
) -> Option<Chunk> {
    use std::arch::x86_64::*;
    assert!(i + 19 <= b.len());
    // SAFETY: SSE2 is part of the x86-64 baseline; every load reads 16 bytes inside `b`
    // (i - 1 >= 0 is checked, i + 3 + 16 <= len is asserted above).
    unsafe {
        let set = |c: u8| _mm_set1_epi8(c as i8);
        let eq = |a: __m128i, c: u8| _mm_cmpeq_epi8(a, set(c));
        let ge = |a: __m128i, c: u8| _mm_cmpeq_epi8(_mm_max_epu8(a, set(c)), a);
        let le = |a: __m128i, c: u8| _mm_cmpeq_epi8(_mm_min_epu8(a, set(c)), a);
        let range = |a: __m128i, lo: u8, hi: u8| _mm_and_si128(ge(a, lo), le(a, hi));
        let any = |m: __m128i| _mm_movemask_epi8(m) != 0;
        let not = |m: __m128i| _mm_xor_si128(m, _mm_set1_epi8(-1));

        let ptr = b.as_ptr();
        let v = _mm_loadu_si128(ptr.add(i) as *const __m128i);
        let p = if i >= 1 {
            _mm_loadu_si128(ptr.add(i - 1) as *const __m128i)
        } else {
            _mm_slli_si128(v, 1)
        };
        let v2 = _mm_loadu_si128(ptr.add(i + 2) as *const __m128i);
        let v3 = _mm_loadu_si128(ptr.add(i + 3) as *const __m128i);

        let hi = _mm_cmplt_epi8(v, _mm_setzero_si128());
        let lead = ge(v, 0xC0);
        let cont = _mm_andnot_si128(lead, hi);
        let lead_ok = _mm_or_si128(eq(v, 0xD8), eq(v, 0xD9));
        let p_d8 = eq(p, 0xD8);
        let p_d9 = eq(p, 0xD9);
        // ، ؛ ؟ (U+060C, U+061B, U+061F): word boundaries.
        let punct_byte =
            |a: __m128i| _mm_or_si128(_mm_or_si128(eq(a, 0x8C), eq(a, 0x9B)), eq(a, 0x9F));
        let punct = _mm_and_si128(p_d8, punct_byte(v));
        let cont_ok = _mm_or_si128(
            _mm_or_si128(
                _mm_and_si128(p_d8, ge(v, 0xA0)),
                _mm_and_si128(p_d9, range(v, 0x81, 0x8A)),
            ),
            punct,
        );
        let bad = _mm_or_si128(
            _mm_or_si128(
                _mm_andnot_si128(lead_ok, lead),
                _mm_andnot_si128(cont_ok, cont),
            ),
            eq(v, b'\n'),
        );
        if any(bad) {
            return None;
        }
        // Letters at a word start not followed by another Arabic character.
        let alpha = |a: __m128i| range(_mm_or_si128(a, set(0x20)), b'a', b'z');
        let p_ascii = not(_mm_cmplt_epi8(p, _mm_setzero_si128()));
        // In a chunk that passed the checks above, a continuation byte 8C/9B/9F can only
        // end one of ، ؛ ؟ (after D9 they would be marks, which fail).
        let mut p_boundary = _mm_or_si128(_mm_andnot_si128(alpha(p), p_ascii), punct_byte(p));
        let lane0 = _mm_setr_epi8(-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        p_boundary = if at_boundary {
            _mm_or_si128(p_boundary, lane0)
        } else {
            _mm_andnot_si128(lane0, p_boundary)
        };
        // The next character is a plain letter (not tatweel, a mark, a digit…).
        let next_letter = _mm_or_si128(
            _mm_and_si128(eq(v2, 0xD8), ge(v3, 0xA0)),
            _mm_and_si128(eq(v2, 0xD9), range(v3, 0x81, 0x8A)),
        );
        let single = _mm_andnot_si128(next_letter, _mm_and_si128(lead, p_boundary));
        if any(single) {
            return None;
        }

        let ascii = not(hi);
        let boundary = _mm_or_si128(_mm_andnot_si128(alpha(v), ascii), punct);
        let mut out = v;
        if is_match {
            // Same-length folds on the continuation byte (and the lead, for ة → ه).
            let alef = _mm_and_si128(
                p_d8,
                _mm_or_si128(_mm_or_si128(eq(v, 0xA2), eq(v, 0xA3)), eq(v, 0xA5)),
            );
            let maqsura = _mm_and_si128(p_d9, eq(v, 0x89));
            let marbuta = _mm_and_si128(p_d8, eq(v, 0xA9));
            let blend = |m: __m128i, new: __m128i, old: __m128i| {
                _mm_or_si128(_mm_and_si128(m, new), _mm_andnot_si128(m, old))
            };
            out = blend(alef, set(0xA7), out);
            out = blend(maqsura, set(0x8A), out);
            out = blend(marbuta, set(0x87), out);
            out = blend(_mm_srli_si128(marbuta, 1), set(0xD9), out);
            if lower {
                let upper = _mm_and_si128(ascii, range(v, b'A', b'Z'));
                out = _mm_or_si128(out, _mm_and_si128(upper, set(0x20)));
            }
        }
        let mut bytes = [0u8; 32];
        _mm_storeu_si128(bytes.as_mut_ptr() as *mut __m128i, out);
        let lead_mask = _mm_movemask_epi8(lead) as u32;
        let len = if lead_mask & (1 << 15) != 0 { 15 } else { 16 };
        let keep = (1u32 << len) - 1;
        let bmask = (_mm_movemask_epi8(boundary) as u32) & keep;
        let boundary_end = if bmask == 0 {
            None
        } else {
            Some(32 - bmask.leading_zeros() as usize)
        };
        let last = len - 1;
        let ends_at_boundary = bmask & (1 << last) != 0;
        Some(Chunk {
            bytes,
            len,
            boundary_end,
            ends_at_boundary,
            ends_with_arabic: b[i + last] >= 0x80 && !ends_at_boundary,
        })
    }
}

/// Whether the 32-byte AVX2 path is available (detected once, cached by std).
#[inline]
pub(crate) fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The widest chunk the machine has: 32 bytes with AVX2, else 16.
#[inline]
pub(crate) fn chunk_wide(
    b: &[u8],
    i: usize,
    at_boundary: bool,
    is_match: bool,
    lower: bool,
    wide: bool,
) -> Option<Chunk> {
    #[cfg(target_arch = "x86_64")]
    {
        if wide {
            // SAFETY: `wide` is only true when AVX2 was detected at run time.
            return unsafe { chunk32(b, i, at_boundary, is_match, lower) };
        }
    }
    let _ = wide;
    chunk(b, i, at_boundary, is_match, lower)
}

/// The same test and folds as [`chunk`], 32 bytes at a time. Needs `i + 35 <= b.len()`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn chunk32(
    b: &[u8],
    i: usize,
    at_boundary: bool,
    is_match: bool,
    lower: bool,
) -> Option<Chunk> {
    use std::arch::x86_64::*;
    assert!(i + 35 <= b.len());
    let set = |c: u8| _mm256_set1_epi8(c as i8);
    let eq = |a: __m256i, c: u8| _mm256_cmpeq_epi8(a, set(c));
    let ge = |a: __m256i, c: u8| _mm256_cmpeq_epi8(_mm256_max_epu8(a, set(c)), a);
    let le = |a: __m256i, c: u8| _mm256_cmpeq_epi8(_mm256_min_epu8(a, set(c)), a);
    let range = |a: __m256i, lo: u8, hi: u8| _mm256_and_si256(ge(a, lo), le(a, hi));
    let not = |m: __m256i| _mm256_xor_si256(m, _mm256_set1_epi8(-1));
    let load = |at: usize| _mm256_loadu_si256(b.as_ptr().add(at) as *const __m256i);

    let v = load(i);
    // The byte before each lane; lane 0 of a chunk at the text start has none.
    let p = if i >= 1 {
        load(i - 1)
    } else {
        _mm256_setr_epi8(
            0,
            b[0] as i8,
            b[1] as i8,
            b[2] as i8,
            b[3] as i8,
            b[4] as i8,
            b[5] as i8,
            b[6] as i8,
            b[7] as i8,
            b[8] as i8,
            b[9] as i8,
            b[10] as i8,
            b[11] as i8,
            b[12] as i8,
            b[13] as i8,
            b[14] as i8,
            b[15] as i8,
            b[16] as i8,
            b[17] as i8,
            b[18] as i8,
            b[19] as i8,
            b[20] as i8,
            b[21] as i8,
            b[22] as i8,
            b[23] as i8,
            b[24] as i8,
            b[25] as i8,
            b[26] as i8,
            b[27] as i8,
            b[28] as i8,
            b[29] as i8,
            b[30] as i8,
        )
    };
    let n1 = load(i + 1);
    let v2 = load(i + 2);
    let v3 = load(i + 3);

    let zero = _mm256_setzero_si256();
    let hi = _mm256_cmpgt_epi8(zero, v);
    let lead = ge(v, 0xC0);
    let cont = _mm256_andnot_si256(lead, hi);
    let lead_ok = _mm256_or_si256(eq(v, 0xD8), eq(v, 0xD9));
    let p_d8 = eq(p, 0xD8);
    let p_d9 = eq(p, 0xD9);
    let punct_byte =
        |a: __m256i| _mm256_or_si256(_mm256_or_si256(eq(a, 0x8C), eq(a, 0x9B)), eq(a, 0x9F));
    let punct = _mm256_and_si256(p_d8, punct_byte(v));
    let cont_ok = _mm256_or_si256(
        _mm256_or_si256(
            _mm256_and_si256(p_d8, ge(v, 0xA0)),
            _mm256_and_si256(p_d9, range(v, 0x81, 0x8A)),
        ),
        punct,
    );
    // Characters that need the scalar path (by where they start).
    let bad_start = _mm256_or_si256(_mm256_andnot_si256(lead_ok, lead), eq(v, b'\n'));
    let bad_cont = _mm256_andnot_si256(cont_ok, cont);
    let mut stop =
        (_mm256_movemask_epi8(bad_start) as u32) | ((_mm256_movemask_epi8(bad_cont) as u32) >> 1);
    let alpha = |a: __m256i| range(_mm256_or_si256(a, set(0x20)), b'a', b'z');
    let p_ascii = not(_mm256_cmpgt_epi8(zero, p));
    let mut p_boundary = _mm256_or_si256(_mm256_andnot_si256(alpha(p), p_ascii), punct_byte(p));
    let lane0 = _mm256_setr_epi8(
        -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    );
    p_boundary = if at_boundary {
        _mm256_or_si256(p_boundary, lane0)
    } else {
        _mm256_andnot_si256(lane0, p_boundary)
    };
    let next_letter = _mm256_or_si256(
        _mm256_and_si256(eq(v2, 0xD8), ge(v3, 0xA0)),
        _mm256_and_si256(eq(v2, 0xD9), range(v3, 0x81, 0x8A)),
    );
    let single = _mm256_andnot_si256(next_letter, _mm256_and_si256(lead, p_boundary));
    stop |= _mm256_movemask_epi8(single) as u32;
    let ascii = not(hi);
    let boundary = _mm256_or_si256(_mm256_andnot_si256(alpha(v), ascii), punct);
    let mut out = v;
    if is_match {
        let blend = |m: __m256i, new: __m256i, old: __m256i| _mm256_blendv_epi8(old, new, m);
        let alef = _mm256_and_si256(
            p_d8,
            _mm256_or_si256(_mm256_or_si256(eq(v, 0xA2), eq(v, 0xA3)), eq(v, 0xA5)),
        );
        let maqsura = _mm256_and_si256(p_d9, eq(v, 0x89));
        let marbuta = _mm256_and_si256(p_d8, eq(v, 0xA9));
        // The lead of ة: this byte is D8 and the next is A9.
        let marbuta_lead = _mm256_and_si256(eq(v, 0xD8), eq(n1, 0xA9));
        out = blend(alef, set(0xA7), out);
        out = blend(maqsura, set(0x8A), out);
        out = blend(marbuta, set(0x87), out);
        out = blend(marbuta_lead, set(0xD9), out);
        if lower {
            let upper = _mm256_and_si256(ascii, range(v, b'A', b'Z'));
            out = _mm256_or_si256(out, _mm256_and_si256(upper, set(0x20)));
        }
    }
    let mut bytes = [0u8; 32];
    _mm256_storeu_si256(bytes.as_mut_ptr() as *mut __m256i, out);
    let lead_mask = _mm256_movemask_epi8(lead) as u32;
    // All or nothing: committing the plain prefix of a mixed chunk measured slower (the
    // scalar path then restarts for a few bytes only to fail again).
    if stop != 0 {
        return None;
    }
    let len = if lead_mask & (1 << 31) != 0 { 31 } else { 32 };
    let keep = if len == 32 {
        u32::MAX
    } else {
        (1u32 << len) - 1
    };
    let bmask = (_mm256_movemask_epi8(boundary) as u32) & keep;
    let boundary_end = if bmask == 0 {
        None
    } else {
        Some(32 - bmask.leading_zeros() as usize)
    };
    let last = len - 1;
    let ends_at_boundary = bmask & (1 << last) != 0;
    Some(Chunk {
        bytes,
        len,
        boundary_end,
        ends_at_boundary,
        ends_with_arabic: b[i + last] >= 0x80 && !ends_at_boundary,
    })
}

/// No vector path on other targets: the scalar loop does everything.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn chunk(
    _b: &[u8],
    _i: usize,
    _at_boundary: bool,
    _is_match: bool,
    _lower: bool,
) -> Option<Chunk> {
    None
}
