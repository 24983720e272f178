"""Labelled image datasets (YOLO, COCO, Pascal VOC layouts) read from a files dataset's
folder or any of its snapshots: one item model, the formats, items, statistics,
thumbnails, edits (each a new snapshot) and export / conversion between layouts."""
