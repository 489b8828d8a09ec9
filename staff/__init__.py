"""Staff command-line tool: the link between the assistant's database and billing.

Run `python -m staff --help`. Each command lives in its own module; `staff.cli`
only wires them into one argument parser.
"""
