"""The viewer's side of cohort batch runs: browse a results file, sort and filter its rows, and open
a row's study in the reading window with its lesions found again by the same method."""
