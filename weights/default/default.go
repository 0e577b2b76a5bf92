// Package defaultmodel embeds the shipped model, weights/default/flowers.alexnet:
// the seed's half-width AlexNet trained by train/train.py on flower_photos
// (5 classes), int8, calibrated. MODEL_CARD.md beside it has the data, the
// recipe, the exact commands and the measured accuracy.
package defaultmodel

import _ "embed"

// Bytes is the weight file; decode it with weights.Decode or classifier.Load.
//
//go:embed flowers.alexnet
var Bytes []byte
