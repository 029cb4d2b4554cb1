export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else (e.g. the postgres user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
