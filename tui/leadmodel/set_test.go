package leadmodel

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func rows(ids ...int64) []*Row {
	out := make([]*Row, len(ids))
	for i, id := range ids {
		out[i] = &Row{ID: id}
	}
	return out
}

func idsOf(s *Set) []int64 {
	var out []int64
	s.Each(func(r *Row) bool { out = append(out, r.ID); return true })
	return out
}

func TestSetWith(t *testing.T) {
	for _, tt := range []struct {
		name string
		have []int64
		put  []int64
		del  []int64
		want []int64
	}{
		{"into nothing", nil, []int64{1, 2}, nil, []int64{1, 2}},
		{"append", []int64{1, 2}, []int64{3}, nil, []int64{1, 2, 3}},
		{"in between", []int64{1, 5}, []int64{3}, nil, []int64{1, 3, 5}},
		{"replace", []int64{1, 2, 3}, []int64{2}, nil, []int64{1, 2, 3}},
		{"delete", []int64{1, 2, 3}, nil, []int64{2}, []int64{1, 3}},
		{"delete what is not there", []int64{1, 3}, nil, []int64{2, 9}, []int64{1, 3}},
		{"delete everything", []int64{1, 2}, nil, []int64{1, 2}, nil},
		{"both", []int64{1, 2, 3}, []int64{0, 4}, []int64{1, 3}, []int64{0, 2, 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSet(rows(tt.have...))
			before := idsOf(s)
			next := s.with(rows(tt.put...), tt.del)
			if got := idsOf(next); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if got := idsOf(s); !slices.Equal(got, before) {
				t.Errorf("the old version changed: %v, was %v", got, before)
			}
		})
	}
}

// A set built by many random changes reads the same as a plain sorted list given the
// same changes, through every accessor, and every older version stays as it was.
func TestSetAgainstSortedList(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ref []int64
	s := newSet(nil)
	type version struct {
		s   *Set
		ids []int64
	}
	var versions []version
	for round := range 400 {
		inPut := map[int64]bool{}
		var put []*Row
		var del []int64
		for range rng.IntN(40) {
			var id int64
			if round%3 == 0 {
				id = int64(len(ref) + rng.IntN(300)) // mostly new leads at the end
			} else {
				id = int64(rng.IntN(3000))
			}
			if !inPut[id] {
				inPut[id] = true
				put = append(put, &Row{ID: id})
			}
		}
		for range rng.IntN(30) {
			if id := int64(rng.IntN(3000)); !inPut[id] {
				del = append(del, id)
			}
		}
		slices.SortFunc(put, func(a, b *Row) int { return cmpInt(a.ID, b.ID) })
		slices.Sort(del)
		del = slices.Compact(del)
		s = s.with(put, del)
		for _, r := range put {
			if i, ok := slices.BinarySearch(ref, r.ID); !ok {
				ref = slices.Insert(ref, i, r.ID)
			}
		}
		for _, id := range del {
			if i, ok := slices.BinarySearch(ref, id); ok {
				ref = slices.Delete(ref, i, i+1)
			}
		}
		if s.Len() != len(ref) {
			t.Fatalf("round %d: Len %d, want %d", round, s.Len(), len(ref))
		}
		for i, id := range ref {
			if s.At(i).ID != id {
				t.Fatalf("round %d: At(%d) = %d, want %d", round, i, s.At(i).ID, id)
			}
		}
		for probe := int64(-1); probe < 3100; probe += 7 {
			i, found := s.Find(probe)
			wi, wfound := slices.BinarySearch(ref, probe)
			if i != wi || found != wfound || (s.Get(probe) != nil) != wfound {
				t.Fatalf("round %d: Find(%d) = %d, %v; want %d, %v", round, probe, i, found, wi, wfound)
			}
		}
		for _, c := range s.chunks {
			if len(c) == 0 || len(c) > 2*chunkSize {
				t.Fatalf("round %d: a chunk of %d rows", round, len(c))
			}
		}
		if round%40 == 0 {
			versions = append(versions, version{s, slices.Clone(ref)})
		}
	}
	for _, v := range versions {
		if got := idsOf(v.s); !slices.Equal(got, v.ids) {
			t.Fatalf("an older version changed")
		}
	}
}
