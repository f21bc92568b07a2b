# Shortcuts for the two commands of the README (dev.py needs nothing but Python).
.PHONY: run test
run:
	python3 dev.py run
test:
	python3 dev.py test
