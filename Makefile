# Shortcuts for the README commands (which need only Python 3.11).
.PHONY: demo test app
demo:
	python3 tasks.py demo
test:
	python3 tasks.py test
app:
	python3 tasks.py app
