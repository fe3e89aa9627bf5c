# Aliases for bootstrap.py, for those who have make (nothing here needs it).
.PHONY: start test reset
start:
	python3 bootstrap.py start
test:
	python3 bootstrap.py test
reset:
	python3 bootstrap.py reset $(LESSON)
