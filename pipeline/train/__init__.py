"""train / evaluate: fine-tune a model on a release with PEFT or fully, and judge the result.

Plain functions over a TrainConfig; the flows in flows/train.py add Prefect around them.
"""
