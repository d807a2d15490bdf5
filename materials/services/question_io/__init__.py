"""Importing and exporting questions of the bank: the xlsx template (xlsx.py), Moodle XML (moodle.py)
and GIFT (gift.py) each read a file into `Entry`s and write questions back in the same shape, so every
export imports again unchanged. importing.py runs an import (check, preview, confirm, create);
exporting.py chooses what a user may export."""
