week4 export gradescope 05-eda --key ~/.week4/grading.key --out 05-eda-autograder.zip
