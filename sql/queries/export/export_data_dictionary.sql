-- data_dictionary.csv: the rows of dashboard.export.dictionary, registered on the cursor as export_dictionary.
SELECT file, "column", type, required, meaning FROM export_dictionary
