/**
 * Creating something that must exist once (a form, a folder, a document) with a call that is
 * not safe to repeat blindly: look for it first; after a failure whose outcome is unknown, look
 * again before creating again. A lost answer never makes two.
 */
export async function createChecked(
  find: () => Promise<string | undefined>,
  create: () => Promise<string>,
  opts: { attempts?: number /** The caller has just looked. */; looked?: boolean } = {},
): Promise<string> {
  const attempts = opts.attempts ?? 3;
  const existing = opts.looked ? undefined : await find();
  if (existing) return existing;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      const after = await find();
      if (after) return after;
      if (attempt >= attempts) throw error;
    }
  }
}
