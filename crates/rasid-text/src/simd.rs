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
    /// The output bytes (same length as the input consumed).
    pub bytes: [u8; 16],
    /// Bytes consumed: 16, or 15 when the last byte starts a two-byte letter.
    pub len: usize,
    /// Position (relative to the chunk) just after the last word-boundary byte.
    pub boundary_end: Option<usize>,
    /// Whether the last character is a word boundary (ASCII, not a letter).
    pub ends_at_boundary: bool,
    /// Whether the last character is an Arabic letter.
    pub ends_with_arabic: bool,
}

/// Try the chunk at `b[i..i + 16]`. Needs `i + 18 <= b.len()` (it looks two bytes
/// ahead) and `i` on a character boundary. `at_boundary`: the character before `i`
/// ends a word.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn chunk(b: &[u8], i: usize, at_boundary: bool, is_match: bool, lower: bool) -> Option<Chunk> {
    use std::arch::x86_64::*;
    assert!(i + 18 <= b.len());
    // SAFETY: SSE2 is part of the x86-64 baseline; every load reads 16 bytes inside `b`
    // (i - 1 >= 0 is checked, i + 2 + 16 <= len is asserted above).
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

        let hi = _mm_cmplt_epi8(v, _mm_setzero_si128());
        let lead = ge(v, 0xC0);
        let cont = _mm_andnot_si128(lead, hi);
        let lead_ok = _mm_or_si128(eq(v, 0xD8), eq(v, 0xD9));
        let p_d8 = eq(p, 0xD8);
        let p_d9 = eq(p, 0xD9);
        let cont_ok = _mm_or_si128(_mm_and_si128(p_d8, ge(v, 0xA0)), _mm_and_si128(p_d9, range(v, 0x81, 0x8A)));
        let bad = _mm_or_si128(
            _mm_or_si128(_mm_andnot_si128(lead_ok, lead), _mm_andnot_si128(cont_ok, cont)),
            eq(v, b'\n'),
        );
        if any(bad) {
            return None;
        }
        // Letters at a word start not followed by another Arabic character.
        let alpha = |a: __m128i| range(_mm_or_si128(a, set(0x20)), b'a', b'z');
        let p_ascii = not(_mm_cmplt_epi8(p, _mm_setzero_si128()));
        let mut p_boundary = _mm_andnot_si128(alpha(p), p_ascii);
        let lane0 = _mm_setr_epi8(-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        p_boundary = if at_boundary { _mm_or_si128(p_boundary, lane0) } else { _mm_andnot_si128(lane0, p_boundary) };
        let next_arabic = range(v2, 0xD8, 0xDB);
        let single = _mm_andnot_si128(next_arabic, _mm_and_si128(lead, p_boundary));
        if any(single) {
            return None;
        }

        let ascii = not(hi);
        let boundary = _mm_andnot_si128(alpha(v), ascii);
        let mut out = v;
        if is_match {
            // Same-length folds on the continuation byte (and the lead, for ة → ه).
            let alef = _mm_and_si128(p_d8, _mm_or_si128(_mm_or_si128(eq(v, 0xA2), eq(v, 0xA3)), eq(v, 0xA5)));
            let maqsura = _mm_and_si128(p_d9, eq(v, 0x89));
            let marbuta = _mm_and_si128(p_d8, eq(v, 0xA9));
            let blend = |m: __m128i, new: __m128i, old: __m128i| _mm_or_si128(_mm_and_si128(m, new), _mm_andnot_si128(m, old));
            out = blend(alef, set(0xA7), out);
            out = blend(maqsura, set(0x8A), out);
            out = blend(marbuta, set(0x87), out);
            out = blend(_mm_srli_si128(marbuta, 1), set(0xD9), out);
            if lower {
                let upper = _mm_and_si128(ascii, range(v, b'A', b'Z'));
                out = _mm_or_si128(out, _mm_and_si128(upper, set(0x20)));
            }
        }
        let mut bytes = [0u8; 16];
        _mm_storeu_si128(bytes.as_mut_ptr() as *mut __m128i, out);
        let lead_mask = _mm_movemask_epi8(lead) as u32;
        let len = if lead_mask & (1 << 15) != 0 { 15 } else { 16 };
        let keep = (1u32 << len) - 1;
        let bmask = (_mm_movemask_epi8(boundary) as u32) & keep;
        let boundary_end = if bmask == 0 { None } else { Some(32 - bmask.leading_zeros() as usize) };
        let last = len - 1;
        let last_ascii = b[i + last] < 0x80;
        Some(Chunk {
            bytes,
            len,
            boundary_end,
            ends_at_boundary: last_ascii && bmask & (1 << last) != 0,
            ends_with_arabic: !last_ascii,
        })
    }
}

/// No vector path on other targets: the scalar loop does everything.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn chunk(_b: &[u8], _i: usize, _at_boundary: bool, _is_match: bool, _lower: bool) -> Option<Chunk> {
    None
}
