// `hakmem soak`: a placeholder until the soak command lands (issue 6).
export function main(): number {
  console.error("hakmem soak: not implemented yet — see issue 6 (profiles, release policy, soak)");
  return 2;
}
