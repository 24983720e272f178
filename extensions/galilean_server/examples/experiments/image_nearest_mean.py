"""A first image classifier on a labelled-image snapshot (YOLO, COCO or Pascal VOC),
tracked in MLflow: each image's class is its most frequent box label; every image is
shrunk to a small thumbnail and the classifier predicts the class whose mean thumbnail
is nearest. A real baseline to beat (it is also compared with always guessing the
commonest class), and the place to start your own model.

    from galilean_server.kernel.api import experiments
    run = experiments.run(
        "examples/experiments/image_nearest_mean.py",
        dataset="pets", params={"size": 16},
    )

`experiments.run` gives this script `data` (the snapshot as a folder) and `params`; it
sets `metrics` and `model` (the classes and their mean thumbnails, pickled in the run).

params: size (thumbnail side in pixels, default 16), test_split (the split to test on;
default every split but train; with one split, every fourth image).
"""

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from galilean_services.datasets.labels.formats import read_labelled
from galilean_services.datasets.labels.source import FolderSource

data: Path = globals()["data"]  # given by experiments.run
params: dict[str, Any] = globals()["params"]
size = int(params.get("size", 16))

labelled = read_labelled(FolderSource(data))
examples = []  # (split, class, thumbnail as a vector)
for item in labelled.items:
    if not item.boxes:
        continue  # not labelled: nothing to learn from
    label = Counter(box.label for box in item.boxes).most_common(1)[0][0]
    with Image.open(data / item.id) as image:
        thumbnail = image.convert("RGB").resize((size, size))
    examples.append((item.split, label, np.asarray(thumbnail, dtype=np.float32).ravel() / 255))
if not examples:
    raise ValueError("no labelled image in this snapshot")

chosen = params.get("test_split")
splits = {split for split, _, _ in examples}
if chosen:
    tested = [i for i, e in enumerate(examples) if e[0] == chosen]
elif len(splits) > 1:
    tested = [i for i, e in enumerate(examples) if e[0] != "train"]
else:
    tested = list(range(3, len(examples), 4))
trained = [i for i in range(len(examples)) if i not in set(tested)]
if not trained or not tested:
    raise ValueError(f"need images to train and to test on (splits: {sorted(splits)})")

classes = sorted({examples[i][1] for i in trained})
means = np.stack(
    [np.mean([examples[i][2] for i in trained if examples[i][1] == c], axis=0) for c in classes]
)
vectors = np.stack([examples[i][2] for i in tested])
distances = ((vectors[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
predicted = [classes[k] for k in distances.argmin(axis=1)]
truth = [examples[i][1] for i in tested]
commonest = Counter(examples[i][1] for i in trained).most_common(1)[0][0]

metrics = {
    "accuracy": float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])),
    "majority_baseline": float(np.mean([t == commonest for t in truth])),
    "train_images": len(trained),
    "test_images": len(tested),
    "classes": len(classes),
}
model = {"classes": classes, "means": means, "size": size}
