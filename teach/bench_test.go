package teach

import (
	"context"
	"math/rand/v2"
	"testing"
)

// benchDim is the embedding of the shipped seed model: 2*(128+192+192+128).
const benchDim = 1280

// BenchmarkTrain is the speed target: a head for 10 classes of 50
// examples each, with the default 20% held out (two trainings, as Train
// runs them), on embeddings of benchDim floats. The cost does not depend
// on the number of examples: DefaultSteps steps of DefaultBatch.
func BenchmarkTrain(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	ex := separable(r, 10, 50, benchDim)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(context.Background(), ex, 10, Options{Seed: 1, Holdout: 0.2}); err != nil {
			b.Fatal(err)
		}
	}
}
