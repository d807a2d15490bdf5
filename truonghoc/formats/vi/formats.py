# Dates are dd/mm/yyyy everywhere (the Ministry's documents write 28/10/2015).
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "d/m"
YEAR_MONTH_FORMAT = "m/Y"
# Our own named formats, for the shapes Django has no name for. Django's |date and date_format look a
# name up in this module before taking it as a literal format, so templates write
# {{ value|date:"SECONDS_DATETIME_FORMAT" }} like the built-in names (truonghoc/README.md).
SECONDS_DATETIME_FORMAT = "d/m/Y H:i:s"  # receipts: when work was handed in, to the second
SECONDS_TIME_FORMAT = "H:i:s"  # "Saved 08:30:12" beside an answer saved as you go
WEEKDAY_DATE_FORMAT = "l d/m/Y"  # a day of the calendar: "Thứ Hai 08/12/2025"
DAY_MONTH_TIME_FORMAT = "d/m H:i"  # a recent moment in a narrow column: "reminded 08/12 14:05"
NARROW_YEAR_MONTH_FORMAT = "m/y"  # a month as a narrow column header: "10/25"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
