//! A character-wise double-array trie laid out level by level.
//!
//! The matcher walks the trie from every word start of every document, and most walks
//! end within four or five characters. Nodes are placed breadth first, so the first
//! levels — where nearly every step of nearly every walk falls — lie together in a few
//! hundred kilobytes that stay in the core's cache, rather than spread across the whole
//! array among the long tails of place names that few walks reach. [`Trie::walk`] keeps
//! the node and its base at hand from one character to the next.

use rustc_hash::FxHashMap;

/// A trie of distinct keys, each with a value.
#[derive(Clone, Debug)]
pub(crate) struct Trie {
    /// Per character below U+0800, its code (1 and up, by frequency in the keys; 0: in
    /// no key).
    low: Box<[u16; LOW]>,
    /// The codes of the other characters of the keys.
    high: FxHashMap<char, u16>,
    /// Per slot: the base its children's slots are counted from (the top bit set when a
    /// key ends at the node), and the slot of its parent ([`FREE`] for an empty slot).
    nodes: Vec<Node>,
    /// Per slot, the value of the key that ends there.
    values: Vec<u32>,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    base: u32,
    check: u32,
}

/// The `check` of an empty slot.
const FREE: u32 = u32::MAX;
/// The characters whose codes are in a table: U+0000–U+07FF (Latin, Arabic).
const LOW: usize = 0x800;

/// The bit of `base` that marks a node where a key ends.
const ENDS: u32 = 1 << 31;

/// The root's slot.
const ROOT: u32 = 0;
/// The root's `check`: a taken slot that is no node's child, so that a step from the
/// root with code 0 (a character in no key), which lands on slot 0 when the root's
/// base is 0, does not find it.
const ROOT_CHECK: u32 = FREE - 1;

/// Why a trie cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TrieError {
    /// A key is empty.
    #[error("an empty key")]
    EmptyKey,
    /// A key is given twice.
    #[error("the key {0:?} is given twice")]
    Duplicate(String),
    /// More than 2^31 slots.
    #[error("too many keys")]
    TooLarge,
}

impl Trie {
    /// The trie of `records` (key, value), in any order.
    pub(crate) fn new<K: AsRef<str>>(
        records: impl IntoIterator<Item = (K, u32)>,
    ) -> Result<Trie, TrieError> {
        // Codes by frequency: the frequent letters get the small codes, so that the
        // children of a node fit in a short stretch of slots.
        let mut freq: FxHashMap<char, u64> = FxHashMap::default();
        let mut keys: Vec<(Vec<char>, u32)> = Vec::new();
        for (k, v) in records {
            let k: Vec<char> = k.as_ref().chars().collect();
            if k.is_empty() {
                return Err(TrieError::EmptyKey);
            }
            for &c in &k {
                *freq.entry(c).or_default() += 1;
            }
            keys.push((k, v));
        }
        let mut by_freq: Vec<(char, u64)> = freq.into_iter().collect();
        by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut low = Box::new([0u16; LOW]);
        let mut high = FxHashMap::default();
        let mut code = FxHashMap::default();
        for (i, &(c, _)) in by_freq.iter().enumerate() {
            let n = u16::try_from(i + 1).map_err(|_| TrieError::TooLarge)?;
            code.insert(c, n);
            match low.get_mut(c as usize) {
                Some(slot) => *slot = n,
                None => {
                    high.insert(c, n);
                }
            }
        }
        let mut keys: Vec<(Vec<u16>, u32)> = keys
            .into_iter()
            .map(|(k, v)| (k.iter().map(|c| code[c]).collect(), v))
            .collect();
        keys.sort_unstable();
        if let Some(w) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
            let back: FxHashMap<u16, char> = code.iter().map(|(&c, &n)| (n, c)).collect();
            return Err(TrieError::Duplicate(
                w[0].0.iter().map(|n| back[n]).collect(),
            ));
        }

        let mut b = Builder {
            nodes: vec![Node {
                base: 0,
                check: FREE,
            }],
            values: vec![u32::MAX],
            first_free: 1,
        };
        // The root: taken, and no node's child.
        b.nodes[0].check = ROOT_CHECK;
        // Breadth first: (slot, keys under the node, depth).
        let mut queue = std::collections::VecDeque::from([(ROOT, 0..keys.len(), 0usize)]);
        let mut labels: Vec<(u16, std::ops::Range<usize>)> = Vec::new();
        while let Some((slot, range, depth)) = queue.pop_front() {
            let mut lo = range.start;
            // The key that ends here comes first (it is the shortest).
            if lo < range.end && keys[lo].0.len() == depth {
                b.nodes[slot as usize].base |= ENDS;
                b.values[slot as usize] = keys[lo].1;
                lo += 1;
            }
            labels.clear();
            while lo < range.end {
                let c = keys[lo].0[depth];
                let mut hi = lo + 1;
                while hi < range.end && keys[hi].0[depth] == c {
                    hi += 1;
                }
                labels.push((c, lo..hi));
                lo = hi;
            }
            if labels.is_empty() {
                continue;
            }
            let base = b.place(slot, labels.iter().map(|(c, _)| u32::from(*c)))?;
            let ends = b.nodes[slot as usize].base & ENDS;
            b.nodes[slot as usize].base = base | ends;
            for (c, r) in labels.drain(..) {
                queue.push_back((base + u32::from(c), r, depth + 1));
            }
        }
        let Builder {
            mut nodes,
            mut values,
            ..
        } = b;
        // Past the last slot taken, nothing: a lookup there is out of bounds, not free.
        let used = nodes
            .iter()
            .rposition(|n| n.check != FREE)
            .map_or(1, |i| i + 1);
        nodes.truncate(used);
        values.truncate(used);
        nodes.shrink_to_fit();
        values.shrink_to_fit();
        Ok(Trie {
            low,
            high,
            nodes,
            values,
        })
    }

    /// The code of `c` (0 when no key has it).
    #[inline(always)]
    fn code(&self, c: char) -> u32 {
        let i = c as usize;
        if i < LOW {
            u32::from(self.low[i])
        } else {
            self.code_high(c)
        }
    }

    /// The code of a character from U+0800 on: rare in the text, kept out of the walk's
    /// loop.
    #[cold]
    #[inline(never)]
    fn code_high(&self, c: char) -> u32 {
        self.high.get(&c).map_or(0, |&n| u32::from(n))
    }

    /// Every key that `hay` starts with: (value, length in characters), shortest first.
    #[cfg(test)]
    pub(crate) fn common_prefix_search(&self, hay: &[char]) -> Vec<(u32, usize)> {
        let mut out = Vec::new();
        self.walk(hay, |v, n| out.push((v, n)));
        out
    }

    /// Every key that `hay` starts with, shortest first, as (value, length in
    /// characters) in `out` (cleared first). A function of its own, so that the walk's
    /// few variables stay in registers whatever the caller does with the hits.
    #[inline(never)]
    pub(crate) fn walk_into(&self, hay: &[char], out: &mut Vec<(u32, u32)>) {
        out.clear();
        self.walk(hay, |v, n| out.push((v, n as u32)));
    }

    /// Calls `f(value, length in characters)` for every key that `hay` starts with,
    /// shortest first. The walk keeps the node's base at hand rather than reading the
    /// node again at each step.
    #[inline(always)]
    pub(crate) fn walk(&self, hay: &[char], mut f: impl FnMut(u32, usize)) {
        let nodes = &self.nodes[..];
        let mut node = ROOT;
        let mut base = nodes[ROOT as usize].base & !ENDS;
        for (i, &c) in hay.iter().enumerate() {
            // Code 0 (a character in no key) needs no test of its own: no node's child
            // has it, so the slot it leads to never names the node as its parent.
            let t = base + self.code(c);
            let Some(n) = nodes.get(t as usize) else {
                return;
            };
            if n.check != node {
                return;
            }
            node = t;
            base = n.base & !ENDS;
            if n.base & ENDS != 0 {
                f(self.values[t as usize], i + 1);
            }
        }
    }

    /// Heap bytes of the trie.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.low.len() * 2
            + self.high.len() * 8
            + self.nodes.len() * std::mem::size_of::<Node>()
            + self.values.len() * 4
    }
}

/// The slots while a trie is built.
struct Builder {
    nodes: Vec<Node>,
    values: Vec<u32>,
    /// No slot before this one is free.
    first_free: usize,
}

impl Builder {
    /// A base for the children `codes` (ascending) of the node at `parent`: the first
    /// at which every child's slot is free. The slots are taken for `parent`.
    fn place(
        &mut self,
        parent: u32,
        codes: impl Iterator<Item = u32> + Clone,
    ) -> Result<u32, TrieError> {
        let first = codes.clone().next().unwrap_or(1) as usize;
        let mut p = self.first_free.max(first);
        let base = loop {
            let base = p - first;
            if codes.clone().all(|c| {
                self.nodes
                    .get(base + c as usize)
                    .is_none_or(|n| n.check == FREE)
            }) {
                break base;
            }
            p += 1;
            while self.nodes.get(p).is_some_and(|n| n.check != FREE) {
                p += 1;
            }
        };
        let base32 = u32::try_from(base).map_err(|_| TrieError::TooLarge)?;
        if base32 >= ENDS {
            return Err(TrieError::TooLarge);
        }
        for c in codes {
            let t = base + c as usize;
            if t >= self.nodes.len() {
                self.nodes.resize(
                    t + 1,
                    Node {
                        base: 0,
                        check: FREE,
                    },
                );
                self.values.resize(t + 1, u32::MAX);
            }
            self.nodes[t].check = parent;
        }
        while self
            .nodes
            .get(self.first_free)
            .is_some_and(|n| n.check != FREE)
        {
            self.first_free += 1;
        }
        Ok(base32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key `hay` starts with, by comparing each key: what the trie must find.
    fn naive(keys: &[(String, u32)], hay: &[char]) -> Vec<(u32, usize)> {
        let mut out: Vec<(u32, usize)> = keys
            .iter()
            .filter_map(|(k, v)| {
                let k: Vec<char> = k.chars().collect();
                hay.starts_with(&k).then_some((*v, k.len()))
            })
            .collect();
        out.sort_by_key(|&(_, n)| n);
        out
    }

    #[test]
    fn finds_prefixes_and_refuses_bad_keys() {
        let t = Trie::new([("الرقة", 1), ("ال", 2), ("رقة", 3), ("Raqqa", 4)]).unwrap();
        let hay: Vec<char> = "الرقة اليوم".chars().collect();
        assert_eq!(t.common_prefix_search(&hay), vec![(2, 2), (1, 5)]);
        assert!(t.common_prefix_search(&['x']).is_empty());
        assert_eq!(Trie::new([("", 1)]).unwrap_err(), TrieError::EmptyKey);
        assert_eq!(
            Trie::new([("قسد", 1), ("قسد", 2)]).unwrap_err(),
            TrieError::Duplicate("قسد".into())
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, .. Default::default() })]
        /// Keys over a small alphabet (so that they share prefixes), Arabic, Latin and a
        /// character past U+0800: the trie finds what comparing every key finds, from
        /// every start of every haystack.
        #[test]
        fn agrees_with_comparing_every_key(
            keys in proptest::collection::btree_set("[ابتسa-c’ ]{1,6}", 0..60),
            hay in "[ابتسa-d’ ]{0,30}",
        ) {
            let keys: Vec<(String, u32)> = keys.into_iter().zip(0..).collect();
            let t = Trie::new(keys.iter().map(|(k, v)| (k.as_str(), *v))).unwrap();
            let hay: Vec<char> = hay.chars().collect();
            for s in 0..hay.len() {
                let found = t.common_prefix_search(&hay[s..]);
                proptest::prop_assert_eq!(found, naive(&keys, &hay[s..]));
            }
        }
    }
}
