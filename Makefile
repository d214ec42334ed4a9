# Shortcuts for the two README commands (which need only Python 3.11).
.PHONY: demo test
demo:
	python3 tasks.py demo
test:
	python3 tasks.py test
