//! The offset map from a normalized view back to the original text.
//!
//! The map is a sorted list of anchors. Between two anchors the view and the original
//! either correspond byte for byte (a *linear* region: copied text or same-length
//! substitutions such as أ → ا) or as one block (a *coarse* region: deletions, joins,
//! expansions). A range found in the view maps to the smallest original range that
//! produced it, widened to whole coarse regions.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Anchor {
    out: u32,
    src: u32,
    coarse: bool,
}

/// Maps byte ranges of a normalized view to byte ranges of its original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetMap {
    anchors: Vec<Anchor>,
    out_len: u32,
    src_len: u32,
    /// An earlier stage (its view is this map's source), when the view was built in two.
    inner: Option<Box<OffsetMap>>,
}

impl OffsetMap {
    /// The identity map over a text of `len` bytes.
    pub fn identity(len: usize) -> OffsetMap {
        OffsetMap {
            anchors: vec![Anchor {
                out: 0,
                src: 0,
                coarse: false,
            }],
            out_len: len as u32,
            src_len: len as u32,
            inner: None,
        }
    }

    /// Length in bytes of the view.
    pub fn view_len(&self) -> usize {
        self.out_len as usize
    }

    /// Length in bytes of the original.
    pub fn source_len(&self) -> usize {
        match &self.inner {
            Some(i) => i.source_len(),
            None => self.src_len as usize,
        }
    }

    /// True when the view is byte-for-byte aligned with the original everywhere.
    pub fn is_linear(&self) -> bool {
        self.anchors.len() == 1
            && !self.anchors[0].coarse
            && self.out_len == self.src_len
            && self.inner.is_none()
    }

    /// Put `inner` (a map from this map's source to an earlier original) underneath.
    pub(crate) fn with_inner(mut self, inner: OffsetMap) -> OffsetMap {
        debug_assert_eq!(inner.view_len(), self.src_len as usize);
        self.inner = Some(Box::new(inner));
        self
    }

    /// The original byte range that produced `view` (a byte range of the view).
    ///
    /// An empty view range maps to an empty original range at the corresponding position.
    pub fn to_source(&self, view: Range<usize>) -> Range<usize> {
        let r = self.own_to_source(view);
        match &self.inner {
            Some(i) => i.to_source(r),
            None => r,
        }
    }

    fn own_to_source(&self, view: Range<usize>) -> Range<usize> {
        let (s, e) = (view.start as u32, view.end as u32);
        debug_assert!(s <= e && e <= self.out_len);
        let start = self.start_of(s);
        if s == e {
            return start as usize..start as usize;
        }
        let end = self.end_of(e).max(start);
        start as usize..end as usize
    }

    /// Original position of a view position used as a range start.
    fn start_of(&self, p: u32) -> u32 {
        // Last anchor with out <= p.
        let i = self.anchors.partition_point(|a| a.out <= p) - 1;
        let a = self.anchors[i];
        let next_src = self.anchors.get(i + 1).map_or(self.src_len, |n| n.src);
        if a.coarse {
            a.src
        } else {
            (a.src + (p - a.out)).min(next_src)
        }
    }

    /// Original position of a view position used as an (exclusive) range end.
    fn end_of(&self, p: u32) -> u32 {
        // Last anchor with out < p: the region holding byte p - 1.
        let i = self.anchors.partition_point(|a| a.out < p).max(1) - 1;
        let a = self.anchors[i];
        let next_src = self.anchors.get(i + 1).map_or(self.src_len, |n| n.src);
        if a.coarse {
            next_src
        } else {
            (a.src + (p - a.out)).min(next_src)
        }
    }

    /// Give up the anchor buffer (for reuse); the map becomes the empty identity.
    pub(crate) fn take_buffer(&mut self) -> Vec<Anchor> {
        let v = std::mem::take(&mut self.anchors);
        *self = OffsetMap::identity(0);
        v
    }

    /// Number of anchors (a measure of how much the view differs from the original).
    pub fn anchor_count(&self) -> usize {
        self.anchors.len()
    }

    /// Check the structural invariants: anchors sorted, in bounds, linear regions balanced.
    pub fn check_invariants(&self) -> Result<(), String> {
        if let Some(i) = &self.inner {
            i.check_invariants()?;
            if i.view_len() != self.src_len as usize {
                return Err("stages do not line up".into());
            }
        }
        let mut prev: Option<Anchor> = None;
        for (i, a) in self.anchors.iter().enumerate() {
            if a.out > self.out_len || a.src > self.src_len {
                return Err(format!("anchor {i} out of bounds: {a:?}"));
            }
            if let Some(p) = prev {
                if a.out < p.out || a.src < p.src {
                    return Err(format!("anchor {i} not monotonic: {p:?} then {a:?}"));
                }
                if !p.coarse && (a.out - p.out) != (a.src - p.src) {
                    return Err(format!(
                        "linear region {} unbalanced: {p:?} then {a:?}",
                        i - 1
                    ));
                }
            }
            prev = Some(*a);
        }
        if let Some(p) = prev {
            if !p.coarse && (self.out_len - p.out) != (self.src_len - p.src) {
                return Err(format!("last linear region unbalanced: {p:?}"));
            }
        }
        Ok(())
    }
}

/// Builds an [`OffsetMap`] while a view is written left to right.
#[derive(Debug)]
pub(crate) struct MapBuilder {
    anchors: Vec<Anchor>,
    out: u32,
    /// Source position that the next linear byte would correspond to.
    src: u32,
    /// Whether the current (last) anchor is linear and still extendable.
    linear_open: bool,
}

impl MapBuilder {
    pub(crate) fn new() -> MapBuilder {
        MapBuilder::reusing(Vec::new())
    }

    /// A builder that writes into `anchors` (cleared), to reuse its allocation.
    pub(crate) fn reusing(mut anchors: Vec<Anchor>) -> MapBuilder {
        anchors.clear();
        anchors.push(Anchor {
            out: 0,
            src: 0,
            coarse: false,
        });
        MapBuilder {
            anchors,
            out: 0,
            src: 0,
            linear_open: true,
        }
    }

    /// `n` bytes copied (or substituted byte for byte) from `src_start`.
    #[inline]
    pub(crate) fn push_linear(&mut self, src_start: usize, n: usize) {
        let s = src_start as u32;
        if !(self.linear_open && s == self.src) {
            self.region(s, false);
            self.linear_open = true;
        }
        self.out += n as u32;
        self.src = s + n as u32;
    }

    /// One character replaced by another: linear when both have the same UTF-8 length.
    #[inline]
    pub(crate) fn push_subst(&mut self, src: Range<usize>, out_len: usize) {
        if src.len() == out_len {
            self.push_linear(src.start, out_len);
        } else {
            self.push_coarse(src, out_len);
        }
    }

    /// `out_len` bytes of view produced from the original range `src` as one block.
    #[inline]
    pub(crate) fn push_coarse(&mut self, src: Range<usize>, out_len: usize) {
        self.region(src.start as u32, true);
        self.linear_open = false;
        self.out += out_len as u32;
        self.src = src.end as u32;
    }

    /// Start a region at the current view position and source position `src`; source
    /// bytes skipped since the last region become a deletion.
    #[inline]
    fn region(&mut self, src: u32, coarse: bool) {
        if src > self.src {
            self.start(self.src, true);
            self.src = src;
        }
        self.start(src, coarse);
    }

    #[inline]
    fn start(&mut self, src: u32, coarse: bool) {
        let last = self.anchors.last_mut().expect("anchors never empty");
        if last.out == self.out && last.src == src {
            last.coarse = coarse;
        } else {
            self.anchors.push(Anchor {
                out: self.out,
                src,
                coarse,
            });
        }
    }

    /// Close the map; anything of the original after the last region is a deletion.
    pub(crate) fn finish(mut self, src_len: usize) -> OffsetMap {
        let src_len = src_len as u32;
        if self.src < src_len {
            self.start(self.src, true);
            self.src = src_len;
        }
        OffsetMap {
            anchors: self.anchors,
            out_len: self.out,
            src_len,
            inner: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_maps_to_itself() {
        let m = OffsetMap::identity(10);
        assert_eq!(m.to_source(2..5), 2..5);
        assert_eq!(m.to_source(0..10), 0..10);
        assert!(m.check_invariants().is_ok());
    }

    #[test]
    fn deletion_is_skipped() {
        // original "abXXcd" -> view "abcd"
        let mut b = MapBuilder::new();
        b.push_linear(0, 2);
        b.push_coarse(2..4, 0);
        b.push_linear(4, 2);
        let m = b.finish(6);
        m.check_invariants().unwrap();
        assert_eq!(m.to_source(0..4), 0..6);
        assert_eq!(m.to_source(2..4), 4..6);
        assert_eq!(m.to_source(0..2), 0..2);
        assert_eq!(m.to_source(1..3), 1..5);
    }

    #[test]
    fn implicit_gap_is_a_deletion() {
        let mut b = MapBuilder::new();
        b.push_linear(0, 2);
        b.push_linear(4, 2);
        let m = b.finish(7);
        m.check_invariants().unwrap();
        assert_eq!(m.to_source(2..4), 4..6);
        assert_eq!(m.to_source(0..4), 0..6);
        assert_eq!(m.view_len(), 4);
    }

    #[test]
    fn expansion_is_coarse() {
        // "xﻻy" (1+3+1 bytes) -> "xلاy" (1+4+1 bytes)
        let mut b = MapBuilder::new();
        b.push_linear(0, 1);
        b.push_coarse(1..4, 4);
        b.push_linear(4, 1);
        let m = b.finish(5);
        m.check_invariants().unwrap();
        assert_eq!(m.to_source(1..3), 1..4);
        assert_eq!(m.to_source(3..5), 1..4);
        assert_eq!(m.to_source(5..6), 4..5);
    }
}
