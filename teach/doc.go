// Package teach teaches a model new classes from a few examples each: a
// softmax head trained on embeddings from a base network, exported as a
// standard weight file. The same code runs natively (`alexnet teach`) and
// in the browser's worker (pure Go, no syscall/js).
//
// # Embedding
//
// The base network (any AlexNet the engine loads) runs up to the ReLU after
// its last conv, on an input Scale (9/7) times its own (288x288 for a
// 224x224 base); the embedding is the mean and the max of every channel
// of the ReLU outputs of its last four convs, concatenated ("globalpool")
// and scaled to unit length ("l2norm"): 1280 floats for the shipped seed
// model. The choice was measured on oxford17_novel (six species the base
// never saw; 10 photos per class teach, the other 70 are evaluated; mean
// of the same 20 random draws for every candidate; DESIGN.md has the
// table): conv5 average at 224x224 67%, conv5 mean+max 70%, conv3-5
// mean+max 75%, conv2-5 mean+max at 288x288 77%; fc1 and fc2, which the
// base trained for its own five classes, do worse (65-68%, 55%). Mirror
// images in training did not pay on this embedding (76.6% with and
// without), so an example is one embedding. `sh teach/tenshot.sh` runs the
// whole `alexnet teach` + `alexnet eval` measurement on its own 5 draws.
//
// # Head
//
// logits = W e + b on the embedding e, softmax cross-entropy, AdamW
// (torch.optim.AdamW's update, decay on W only) on mini-batches of 64
// examples for 200 steps, from zeros (the loss is convex). The cost is
// fixed, whatever the number of examples: for 10 classes of 50 photos
// (BenchmarkTrain) 0.2-0.3 s natively and 1.2 s in the page's build
// (wasm, GOEXPERIMENT=simd, under node); the products use nn.Dot. Train first
// holds out a seeded fraction of each class, trains, measures the held-out
// examples (Report: a confusion table) and fits on them the temperature
// (0.5..5) and the not-sure threshold as train/train.py does; then it
// trains again on every example for the returned head.
//
// # Export
//
// Export appends the head as a linear layer "head" to the embedding
// network and keeps the base's tensors and preprocessing; the labels and
// calibration are the taught ones. weights.Encode writes it as format
// version 2 (globalpool lists the layers it pools); classifier,
// `alexnet classify`, `eval` and `inspect` run it unchanged, and its
// logits are the head's on the embedding (tested, difference 0).
//
// # Use from the worker
//
// The page keeps the classes and examples; the worker embeds at capture
// time and trains on demand:
//
//	emb, err := teach.NewEmbedder(base)           // base: the loaded *weights.Model
//	v, err := emb.Embed(img)                       // per captured frame or photo
//	examples = append(examples, teach.Example{Class: k, Embedding: v})
//
//	res, err := teach.Train(ctx, examples, len(labels), teach.Options{
//		Seed: 1, Holdout: 0.2,
//		Progress: func(done, total int) { /* post a progress message */ },
//	})
//	// res.Report: held-out count, right, confusion [true][predicted], not sure
//	m, err := teach.Export(emb, res, labels, "my classes")
//	c, err := classifier.New(m)  // switch the live classifier to the taught model
//	file, err := weights.Encode(m) // "Download model": a standard .alexnet file
//
// Embeddings belong to the base that made them: when the base model
// changes, embed the examples again (keep the photos, not only the
// embeddings). Train is deterministic for a seed; cancel it with ctx. A
// taught model cannot be split between the two workers (nn.NewPart
// refuses globalpool): the worker runs it whole.
//
// # Limits
//
// Train takes 2..MaxClasses classes, at most MaxExamples examples, every
// class at least one, embeddings of one length with finite values;
// anything else is ErrExamples. Options out of range are ErrOptions.
package teach
