"""Writing the marts files and swapping publications in whole; is a published output current."""
