import time

# Sleeps for ever: whatever the wall time limit, it is exceeded.
while True:
    time.sleep(60)
