package leadmodel

import (
	"slices"
	"sort"
)

// chunkSize is how many rows a chunk of a Set holds when it is built at once. Changing
// one row copies only its chunk (and the short list of chunk pointers), so a new
// version of a 100 000-row set costs a few kilobytes, not a copy of every row.
const chunkSize = 512

// Set is an immutable list of rows in ascending id order (lead ids grow with creation,
// so this is oldest first). Versions share every chunk that did not change.
type Set struct {
	chunks []chunk
	starts []int // starts[i]: rows before chunk i
	n      int
}

// chunk is a run of rows in ascending id order; never modified once in a Set.
type chunk []*Row

// newSet builds a set from rows in ascending id order.
func newSet(rows []*Row) *Set {
	s := &Set{}
	for i := 0; i < len(rows); i += chunkSize {
		s.chunks = append(s.chunks, chunk(slices.Clone(rows[i:min(len(rows), i+chunkSize)])))
	}
	s.index()
	return s
}

func (s *Set) index() {
	s.starts = make([]int, len(s.chunks))
	s.n = 0
	for i, c := range s.chunks {
		s.starts[i] = s.n
		s.n += len(c)
	}
}

// Len is the number of rows.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// At is the i-th row, 0 ≤ i < Len, in ascending id order.
func (s *Set) At(i int) *Row {
	c := sort.Search(len(s.starts), func(k int) bool { return s.starts[k] > i }) - 1
	return s.chunks[c][i-s.starts[c]]
}

// Find is the position of the row with id, or where it would be, and whether it is
// there.
func (s *Set) Find(id int64) (int, bool) {
	if s.Len() == 0 {
		return 0, false
	}
	c := s.chunkOf(id)
	i, ok := slices.BinarySearchFunc(s.chunks[c], id, cmpRowID)
	return s.starts[c] + i, ok
}

// Get is the row with id, or nil.
func (s *Set) Get(id int64) *Row {
	if s.Len() == 0 {
		return nil
	}
	ch := s.chunks[s.chunkOf(id)]
	if i, ok := slices.BinarySearchFunc(ch, id, cmpRowID); ok {
		return ch[i]
	}
	return nil
}

// Each calls fn with every row in ascending id order until it returns false.
func (s *Set) Each(fn func(*Row) bool) {
	if s == nil {
		return
	}
	for _, c := range s.chunks {
		for _, r := range c {
			if !fn(r) {
				return
			}
		}
	}
}

// chunkOf is the chunk that holds id or would hold it: the first whose last row is at
// or above id, else the last chunk.
func (s *Set) chunkOf(id int64) int {
	c := sort.Search(len(s.chunks), func(k int) bool {
		ch := s.chunks[k]
		return ch[len(ch)-1].ID >= id
	})
	return min(c, len(s.chunks)-1)
}

func cmpRowID(r *Row, id int64) int {
	switch {
	case r.ID < id:
		return -1
	case r.ID > id:
		return 1
	}
	return 0
}

// with returns a new set: s with the rows of put added or replaced and the ids in del
// removed. put and del must be in ascending id order and must not share an id. s is
// not modified: the new set shares every chunk the change does not touch.
func (s *Set) with(put []*Row, del []int64) *Set {
	if len(put) == 0 && len(del) == 0 {
		return s
	}
	if s.Len() == 0 {
		return newSet(put)
	}
	next := &Set{chunks: make([]chunk, 0, len(s.chunks)+1)}
	p, d := 0, 0
	for k, ch := range s.chunks {
		last := k == len(s.chunks)-1
		// The changes that fall in this chunk: ids up to its last row, or all that
		// remain for the last chunk.
		hi := ch[len(ch)-1].ID
		pe, de := p, d
		for pe < len(put) && (last || put[pe].ID <= hi) {
			pe++
		}
		for de < len(del) && (last || del[de] <= hi) {
			de++
		}
		if pe == p && de == d {
			next.chunks = append(next.chunks, ch)
			continue
		}
		merged := mergeChunk(ch, put[p:pe], del[d:de])
		p, d = pe, de
		for len(merged) > 2*chunkSize {
			next.chunks = append(next.chunks, merged[:chunkSize:chunkSize])
			merged = merged[chunkSize:]
		}
		if len(merged) > 0 {
			next.chunks = append(next.chunks, merged)
		}
	}
	next.index()
	return next
}

// mergeChunk is ch with put added or replaced and del removed, as a new chunk.
func mergeChunk(ch chunk, put []*Row, del []int64) chunk {
	out := make(chunk, 0, len(ch)+len(put))
	i, p, d := 0, 0, 0
	for i < len(ch) || p < len(put) {
		var next *Row
		switch {
		case p == len(put) || i < len(ch) && ch[i].ID < put[p].ID:
			next, i = ch[i], i+1
		case i == len(ch) || put[p].ID < ch[i].ID:
			next, p = put[p], p+1
		default: // the same lead: the new row replaces the old
			next, i, p = put[p], i+1, p+1
		}
		for d < len(del) && del[d] < next.ID {
			d++
		}
		if d < len(del) && del[d] == next.ID {
			continue
		}
		out = append(out, next)
	}
	return out
}
