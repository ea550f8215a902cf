week4 grade --submissions submitted --key ~/.week4/grading.key --format canvas --roster roster.csv
