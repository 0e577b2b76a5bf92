// Package defaultmodel embeds the shipped model, weights/default/flowers.alexnet:
// the seed architecture trained on flower_photos (5 classes), int8.
//
// Until the trained model is committed, flowers.alexnet is an UNTRAINED
// placeholder written by gen_placeholder.go (random sparse ternary weights,
// threshold 1 so every answer is "not sure"); replace it with
// `alexnet convert ... weights/default/flowers.alexnet`.
package defaultmodel

import _ "embed"

// Bytes is the weight file; decode it with weights.Decode or classifier.Load.
//
//go:embed flowers.alexnet
var Bytes []byte
