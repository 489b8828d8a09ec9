"""Staff retraining loop: inbox of misunderstood messages, merge of labelled
phrases into the NLU data, and retraining behind a quality gate.

Library functions only: the staff command line drives them (`teplo retrain
--help`, staff/commands/retrain/); docs/staff-guide.md explains the loop to
staff step by step.
"""
