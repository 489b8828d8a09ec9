"""Staff retraining loop: inbox of misunderstood messages, merge of labelled
phrases into the NLU data, and retraining behind a quality gate.

`python -m retrain --help` lists the commands; docs/staff-guide.md explains
them to staff step by step.
"""
